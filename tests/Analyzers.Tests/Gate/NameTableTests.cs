using System.Linq;
using System.Threading;
using GfnGuard.Analyzers.Gate;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Tests.Gate;

/// <summary>
/// The per-thread name table of the text reading. Building Serilog crashed once in about 45
/// builds with an IndexOutOfRangeException in <c>NameTable.Get</c> under
/// <c>BodySummary.ReadCreation</c>: Get indexed the names array it read before the look-up, and
/// the look-up could grow the table. These fail without the fix, every time.
/// </summary>
public sealed class NameTableTests
{
    [Fact]
    public void Get_ReturnsTheNameAsked_WhenTheLookUpGrowsTheTable()
    {
        var table = new NameTable();
        // Far past the first growth (at 512 names), so several growths happen inside Get.
        for (var i = 0; i < 5_000; i++)
        {
            var chars = ("name_" + i).ToCharArray();
            var name = table.Get(chars, 0, chars.Length, out var reserved);
            Assert.Equal("name_" + i, name);
            Assert.False(reserved);
        }
    }

    [Fact]
    public void Get_And_Meet_AgreeOnEveryName_AcrossGrowths()
    {
        var table = new NameTable();
        table.BeginScan();
        for (var i = 0; i < 3_000; i++)
        {
            var chars = ("n" + i).ToCharArray();
            var hash = NameTable.EmptyHash;
            foreach (var c in chars)
            {
                hash = NameTable.Extend(hash, c);
            }

            var met = table.Meet(chars, 0, chars.Length, hash, out _, out var first);
            Assert.True(first);
            Assert.Same(met, table.Get(chars, 0, chars.Length, out _));
        }
    }

    /// <summary>
    /// The crash as a build met it: a body whose text reading reaches the table's growth exactly
    /// at the type name after <c>new</c>. Every count of names before the creation around the
    /// growth point is tried, each on a fresh thread (so a fresh table), as a compiler thread
    /// meets its first big file.
    /// </summary>
    [Fact]
    public void ReadingABody_WhoseCreationGrowsTheTable_ReadsTheCreation()
    {
        for (var names = 480; names < 560; names++)
        {
            var source = "class C { void M() { " + string.Concat(Enumerable.Range(0, names).Select(i => $"int v{i} = 0; "))
                + "var r = new Fresh" + names + "(1); } }";
            var tree = CSharpSyntaxTree.ParseText(source);
            var method = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single();
            BodySummary? summary = null;
            System.Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    summary = BodySummary.Of(SourceText.From(source), method.Body);
                }
                catch (System.Exception e)
                {
                    failure = e;
                }
            });
            thread.Start();
            Assert.True(thread.Join(System.TimeSpan.FromSeconds(30)), "the reading did not finish");
            Assert.Null(failure);
            Assert.Contains(("Fresh" + names, true), summary!.Creations);
        }
    }
}
