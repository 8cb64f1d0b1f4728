using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// Which declarations of a syntax tree the rules asked Roslyn to bind (an operation tree)
    /// and which they asked a control-flow graph for. Those are the costs the syntax gate and
    /// the pre-filters exist to avoid, so tests check that a method with no role gets neither,
    /// and the benchmarks time exactly these requests again to measure what any
    /// IOperation-and-graph analyzer of the same bodies must pay. Weak, so trees still die.
    /// Off unless a test or benchmark turns it on: a lock and a set insert per body would
    /// otherwise cost every user a few percent of GfnGuard's time.
    /// </summary>
    internal static class AnalysedBodies
    {
        private static readonly ConditionalWeakTable<SyntaxTree, Record> s_byTree = new ConditionalWeakTable<SyntaxTree, Record>();

        private static volatile bool s_recording;

        /// <summary>Whether bodies are being recorded (process-wide; tests and benchmarks turn it on).</summary>
        internal static bool Recording
        {
            get => s_recording;
            set => s_recording = value;
        }

        /// <summary>Declarations whose operation tree was asked for (by any rule, once each).</summary>
        internal static IReadOnlyCollection<SyntaxNode> Bound(SyntaxTree tree) => Snapshot(tree, graphs: false);

        /// <summary>Declarations whose control-flow graph was asked for (by any rule, once each).</summary>
        internal static IReadOnlyCollection<SyntaxNode> Graphed(SyntaxTree tree) => Snapshot(tree, graphs: true);

        internal static void NoteBound(SyntaxNode declaration) => Note(declaration, graphs: false);

        internal static void NoteGraphed(SyntaxNode declaration) => Note(declaration, graphs: true);

        private static void Note(SyntaxNode declaration, bool graphs)
        {
            if (!s_recording)
            {
                return;
            }

            var record = s_byTree.GetValue(declaration.SyntaxTree, _ => new Record());
            lock (record)
            {
                (graphs ? record.Graphed : record.Bound).Add(declaration);
            }
        }

        private static IReadOnlyCollection<SyntaxNode> Snapshot(SyntaxTree tree, bool graphs)
        {
            if (!s_byTree.TryGetValue(tree, out var record))
            {
                return System.Array.Empty<SyntaxNode>();
            }

            lock (record)
            {
                return new List<SyntaxNode>(graphs ? record.Graphed : record.Bound);
            }
        }

        private sealed class Record
        {
            internal HashSet<SyntaxNode> Bound { get; } = new HashSet<SyntaxNode>();

            internal HashSet<SyntaxNode> Graphed { get; } = new HashSet<SyntaxNode>();
        }
    }
}
