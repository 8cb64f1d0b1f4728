using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace GfnGuard.Corpus;

/// <summary>
/// Writes C# port code of any size: classes of methods drawn from <see cref="KvmTemplates"/>
/// (share <see cref="CorpusOptions.KvmShare"/>, a few of them broken) and
/// <see cref="OrdinaryTemplates"/>, deterministic for a seed.
/// </summary>
public static class CorpusGenerator
{
    private const int MethodsPerClass = 12;

    /// <summary>The corpus as files; the first is <see cref="KernelDeclarations"/>.</summary>
    public static GeneratedCorpus Generate(CorpusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var random = new Random(options.Seed);
        var files = new List<CorpusFile> { new(KernelDeclarations.FileName, KernelDeclarations.Text) };
        var total = CountLines(KernelDeclarations.Text);
        var method = 0;
        var broken = 0;
        while (total < options.Lines)
        {
            var file = new StringBuilder();
            file.Append("using static Port.Kernel.K;\nusing Port.Kernel;\n\nnamespace Port.Generated\n{\n");
            var fileLines = 6;
            var classIndex = 0;
            while (fileLines < options.LinesPerFile && total + fileLines < options.Lines)
            {
                file.Append(CultureInfo.InvariantCulture, $"    public static class Mmu{files.Count:D4}_{classIndex++}\n    {{\n");
                fileLines += 2;
                for (var i = 0; i < MethodsPerClass && fileLines < options.LinesPerFile; i++, method++)
                {
                    string text;
                    if (random.NextDouble() < options.KvmShare)
                    {
                        var template = KvmTemplates.All[random.Next(KvmTemplates.All.Length)];
                        var buggy = random.NextDouble() < options.BugShare;
                        broken += buggy ? 1 : 0;
                        text = template(method, buggy);
                    }
                    else
                    {
                        text = OrdinaryTemplates.All[random.Next(OrdinaryTemplates.All.Length)](method);
                    }

                    file.Append(text);
                    fileLines += CountLines(text);
                }

                file.Append("    }\n\n");
                fileLines += 2;
            }

            file.Append("}\n");
            total += fileLines;
            files.Add(new CorpusFile(string.Create(CultureInfo.InvariantCulture, $"Port{files.Count:D4}.cs"), file.ToString()));
        }

        return new GeneratedCorpus(files, total, broken);
    }

    /// <summary>Whether a member of that name was written by an ordinary template (one with no KVM role).</summary>
    public static bool IsOrdinaryMember(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var prefix in OrdinaryTemplates.MemberPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length && char.IsAsciiDigit(name[prefix.Length]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes the corpus into <paramref name="directory"/> (created if missing) and returns its line count.</summary>
    public static int WriteTo(string directory, CorpusOptions options)
    {
        Directory.CreateDirectory(directory);
        var corpus = Generate(options);
        foreach (var file in corpus.Files)
        {
            File.WriteAllText(Path.Combine(directory, file.Name), file.Text);
        }

        return corpus.Lines;
    }

    public static int CountLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = 0;
        foreach (var c in text)
        {
            if (c == '\n')
                lines++;
        }

        return lines;
    }
}
