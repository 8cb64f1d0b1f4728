namespace GfnGuard.Corpus;

/// <summary>What to generate.</summary>
/// <param name="Lines">About how many lines in all (the generator stops at the first method past it).</param>
/// <param name="KvmShare">Share of methods that touch gfn ranges or mmu_lock, 0 to 1; 0 is ordinary C# with no KVM role.</param>
/// <param name="BugShare">Share of KVM methods that break a contract (each yields one diagnostic).</param>
/// <param name="LinesPerFile">Lines per file before a new one starts.</param>
/// <param name="Seed">The same options and seed give the same corpus.</param>
public sealed record CorpusOptions(int Lines, double KvmShare, double BugShare = 0.02, int LinesPerFile = 500, int Seed = 1);
