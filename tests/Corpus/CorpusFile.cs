namespace GfnGuard.Corpus;

/// <summary>One generated source file.</summary>
/// <param name="Name">File name, e.g. <c>Port003.cs</c>.</param>
/// <param name="Text">C# source.</param>
public sealed record CorpusFile(string Name, string Text);
