using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using GfnGuard.Analyzers.Gate;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What each rule found in each body of one compilation, kept so that the compilation of the
    /// next keystroke reports it again for a body the keystroke could not have changed, instead
    /// of binding the body and running the rule's dataflow over it again.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A keystroke's compilation is the last one with one tree replaced: the same trees in the
    /// same order, the same references and options. A body's findings can change only through
    /// what it binds to and the summaries of what it calls (SPEC section 2); so a body is reused
    /// when the edit (<see cref="TreeEdit"/>) was in comments and white space, or inside one other
    /// method's body that this body cannot reach by the names it spells (followed back through
    /// every tree, as the gate's closures are), and that edit did not add or remove a call to this
    /// body's method (KVM0001 follows a flag into the callers only when there are some). A
    /// constructor, an operator, an initializer or a member the compiler calls implicitly being
    /// edited reuses nothing.
    /// </para>
    /// <para>
    /// Only hosts that make such compilations pay for keeping findings: results are recorded only
    /// when the gate grew from the gate of an earlier compilation sharing most trees (an IDE);
    /// a build's single compilation records nothing. What is kept names trees by their place in
    /// the compilation's list and holds them weakly, with their texts, so that the next keystroke
    /// can tell what it changed even after the tree it replaced was collected; it lives as long
    /// as its gate in <see cref="RecentGates"/>.
    /// </para>
    /// </remarks>
    internal sealed class BodyResults
    {
        private static readonly string[] s_rules =
        {
            DiagnosticIds.BothFlagsSet, DiagnosticIds.HvaRangeNotSharedOnly, DiagnosticIds.ReclaimUnderMmuLock, DiagnosticIds.EmptyFilterAtZap,
            DiagnosticIds.GmemRangeNotPrivateOnly, DiagnosticIds.FlushBeforeUnlock, DiagnosticIds.UnbalancedMmuLock,
        };

        private static readonly ConditionalWeakTable<SyntaxGate, BodyResults> s_byGate = new ConditionalWeakTable<SyntaxGate, BodyResults>();

        // Each tree of the compilation by its place in the list (held weakly), with its text
        // (held strongly: the text of the tree the next keystroke replaces may be all that is
        // left of it, and the edit is read from the two texts).
        private readonly System.WeakReference<SyntaxTree>[] _trees;
        private readonly SourceText[] _texts;
        // Each tree's place by its path (a path two trees share is looked for in the list): a
        // weak table of the trees cost more than the rest of a keystroke's set-up at 500 files.
        private readonly Dictionary<string, int> _places;
        private readonly System.Func<SyntaxTree, int> _placeOfTree;
        private readonly System.Func<int, TextSpan, (SyntaxTree, TextSpan)?> _place;

        // What each rule found in each body, by the tree's place.
        private readonly TreeResults?[] _tables;
        private readonly ImmutableArray<MetadataReference> _references;
        private readonly CompilationOptions _options;
        private readonly SyntaxGate _gate;

        // What may be reused from the compilation before; null when nothing may.
        private readonly TreeResults?[]? _earlier;
        private readonly TreeEdit? _edit;
        private readonly int _editedPlace = -1;
        private readonly bool _editedTreeReusable;
        private readonly HashSet<string>? _reaching;

        private BodyResults(Compilation compilation, SyntaxGate gate)
        {
            _placeOfTree = PlaceOf;
            _place = Place;
            _gate = gate;
            _references = compilation.ExternalReferences;
            _options = compilation.Options;
            if (gate.GrownFrom is not { } previousGate)
            {
                // A compilation with no earlier one to grow from (a build's) keeps nothing.
                _trees = System.Array.Empty<System.WeakReference<SyntaxTree>>();
                _texts = System.Array.Empty<SourceText>();
                _tables = System.Array.Empty<TreeResults?>();
                _places = new Dictionary<string, int>(0);
                return;
            }

            var trees = compilation.SyntaxTrees.ToArray();
            _trees = System.Array.ConvertAll(trees, tree => new System.WeakReference<SyntaxTree>(tree));
            _texts = System.Array.ConvertAll(trees, tree => tree.GetText());
            _tables = new TreeResults?[trees.Length];
            _places = new Dictionary<string, int>(trees.Length, System.StringComparer.Ordinal);
            for (var i = 0; i < trees.Length; i++)
            {
                // A path two trees share is marked -2, and found by a search of the list.
                _places[trees[i].FilePath] = _places.ContainsKey(trees[i].FilePath) ? -2 : i;
            }

            Records = true;
            if (!s_byGate.TryGetValue(previousGate, out var earlier) || !earlier.Records || !earlier.SameProjectAs(compilation)
                || earlier.Replaced(trees) is not { } found || !gate.AsksTheSameAs(previousGate))
            {
                return;
            }

            var (index, replaced) = found;
            if (index < 0)
            {
                // The same trees: nothing was edited (the same compilation asked again under new options objects).
                _earlier = earlier._tables;
                _editedTreeReusable = true;
                return;
            }

            if (TreeEdit.Between(replaced, trees[index], CancellationToken.None) is not { } edit
                || (edit.EditedBody is not null && edit.CalledAs is null))
            {
                return;
            }

            _edit = edit;
            _editedPlace = index;
            _editedTreeReusable = gate.SameVerdict(trees[index], previousGate, replaced);
            if (edit.EditedBody is not null)
            {
                // Every method whose body may call the edited one, directly or through others.
                var named = trees.Select(tree => (tree, TreeNames.For(tree, CancellationToken.None))).ToList();
                var closure = NameClosure.Compute(named, edit.CalledAs!, null, null, CancellationToken.None);
                _reaching = new HashSet<string>(closure.Found, System.StringComparer.Ordinal);
                _reaching.UnionWith(edit.CalledAs!);
            }

            _earlier = earlier._tables;
        }

        /// <summary>Whether findings are kept here for a later compilation (its gate grew from an earlier one's).</summary>
        internal bool Records { get; }

        /// <summary>The rule's slot, or -1 for a rule whose findings are not kept.</summary>
        internal static int SlotOf(string diagnosticId) => System.Array.IndexOf(s_rules, diagnosticId);

        /// <summary>The findings of the compilation whose gate is <paramref name="gate"/>, made at the first ask.</summary>
        internal static BodyResults For(Compilation compilation, SyntaxGate gate) => s_byGate.GetValue(gate, g => new BodyResults(compilation, g));

        /// <summary>
        /// Reports what the rule in <paramref name="slot"/> found in this body in the compilation
        /// before, when the edit between them cannot have changed it; false when it must be analysed.
        /// </summary>
        internal bool TryReport(int slot, MethodBody body)
        {
            if (_earlier is null)
            {
                return false;
            }

            var declaration = body.Declaration;
            var place = PlaceOf(declaration.SyntaxTree);
            var oldSpan = declaration.Span;
            if (place < 0)
            {
                return false;
            }

            if (place == _editedPlace)
            {
                if (!_editedTreeReusable || _edit!.ToOld(declaration.Span) is not { } mapped)
                {
                    return false;
                }

                oldSpan = mapped;
            }

            if (_earlier[place] is not { } table || table.Found(oldSpan, declaration.RawKind, slot) is not { } recipes
                || (recipes.Length > 0 && _edit is { LinesMoved: true })
                || (_edit?.EditedBody is not null && MayDependOnTheEdit(declaration)))
            {
                return false;
            }

            var remade = new Diagnostic[recipes.Length];
            for (var i = 0; i < recipes.Length; i++)
            {
                if (recipes[i].Remake(_place) is not { } diagnostic)
                {
                    return false;
                }

                remade[i] = diagnostic;
            }

            foreach (var diagnostic in remade)
            {
                body.ReportDiagnostic(diagnostic);
            }

            Record(slot, declaration, remade);
            return true;
        }

        /// <summary>Keeps what the rule in <paramref name="slot"/> found in a body it analysed to the end.</summary>
        internal void Record(int slot, SyntaxNode declaration, IReadOnlyList<Diagnostic> found)
        {
            var place = PlaceOf(declaration.SyntaxTree);
            if (place < 0)
            {
                return;
            }

            var recipes = new DiagnosticRecipe[found.Count];
            for (var i = 0; i < recipes.Length; i++)
            {
                if (DiagnosticRecipe.Of(found[i], _placeOfTree) is not { } recipe)
                {
                    return;
                }

                recipes[i] = recipe;
            }

            var table = Volatile.Read(ref _tables[place]);
            if (table is null)
            {
                Interlocked.CompareExchange(ref _tables[place], new TreeResults(), null);
                table = Volatile.Read(ref _tables[place])!;
            }

            table.Keep(declaration.Span, declaration.RawKind, slot, recipes);
        }

        /// <summary>
        /// Whether a body edited elsewhere may change what is found in this one: this body spells
        /// a method that may reach the edited body, or the edited body calls (or called) this
        /// body's method, or this body is one its callers need not name.
        /// </summary>
        private bool MayDependOnTheEdit(SyntaxNode declaration)
        {
            var name = TreeEdit.NameItsCallersSpell(declaration);
            return name is null || _edit!.EditedBodySpells.Contains(name) || _gate.BodySpellsAny(declaration, _reaching!);
        }

        /// <summary>Where a location of the compilation before is in this one: the same place in an unchanged tree, or the shifted place in the edited one.</summary>
        private (SyntaxTree, TextSpan)? Place(int place, TextSpan span)
        {
            if (!_trees[place].TryGetTarget(out var tree))
            {
                return null;
            }

            if (place == _editedPlace)
            {
                return _edit!.ToNew(span) is { } moved ? (tree, moved) : null;
            }

            return (tree, span);
        }

        /// <summary>The tree's place in this compilation's list, or -1.</summary>
        private int PlaceOf(SyntaxTree tree)
        {
            if (_places.TryGetValue(tree.FilePath, out var place) && place >= 0)
            {
                return _trees[place].TryGetTarget(out var placed) && ReferenceEquals(placed, tree) ? place : -1;
            }

            for (var i = 0; place == -2 && i < _trees.Length; i++)
            {
                if (_trees[i].TryGetTarget(out var placed) && ReferenceEquals(placed, tree))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The same project: as many trees, the same references and compilation options.</summary>
        private bool SameProjectAs(Compilation compilation) =>
            _trees.Length == compilation.SyntaxTrees.Count() && _references.SequenceEqual(compilation.ExternalReferences)
            && _options.Equals(compilation.Options);

        /// <summary>
        /// The one place where <paramref name="trees"/> differ from this compilation's, with the
        /// tree that was there (read again from its text if it was collected): -1 when none
        /// differs, null when more do.
        /// </summary>
        private (int Index, SyntaxTree Replaced)? Replaced(SyntaxTree[] trees)
        {
            var index = -1;
            for (var i = 0; i < trees.Length; i++)
            {
                if (_trees[i].TryGetTarget(out var old) && ReferenceEquals(old, trees[i]))
                {
                    continue;
                }

                if (index >= 0)
                {
                    return null;
                }

                index = i;
            }

            if (index < 0)
            {
                return (-1, null!);
            }

            // The old version from its text, parsed incrementally from the new one (the parse is
            // the one a full parse of that text gives).
            var replaced = _trees[index].TryGetTarget(out var kept) ? kept : trees[index].WithChangedText(_texts[index]);
            return (index, replaced);
        }

        /// <summary>One tree's findings: by body (its span and kind), what each rule found.</summary>
        private sealed class TreeResults
        {
            private readonly ConcurrentDictionary<(TextSpan Span, int Kind), DiagnosticRecipe[]?[]> _bodies =
                new ConcurrentDictionary<(TextSpan, int), DiagnosticRecipe[]?[]>();

            private readonly System.Func<(TextSpan, int), DiagnosticRecipe[]?[]> _newBody = _ => new DiagnosticRecipe[]?[s_rules.Length];

            internal DiagnosticRecipe[]? Found(TextSpan span, int kind, int slot) =>
                _bodies.TryGetValue((span, kind), out var byRule) ? Volatile.Read(ref byRule[slot]) : null;

            internal void Keep(TextSpan span, int kind, int slot, DiagnosticRecipe[] recipes) =>
                Volatile.Write(ref _bodies.GetOrAdd((span, kind), _newBody)[slot], recipes);
        }
    }
}
