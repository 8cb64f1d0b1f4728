using System.Collections.Generic;

namespace GfnGuard.Corpus;

/// <summary>A generated corpus.</summary>
/// <param name="Files">The files; the first holds the kernel declarations.</param>
/// <param name="Lines">Lines in all.</param>
/// <param name="BrokenMethods">Methods generated in a broken form: each yields exactly one GfnGuard diagnostic.</param>
public sealed record GeneratedCorpus(IReadOnlyList<CorpusFile> Files, int Lines, int BrokenMethods);
