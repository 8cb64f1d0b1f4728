using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using GfnGuard.Analyzers.Roles;
using TreeVerdict = (bool MaySetBothFlags, bool MayReclaim, bool MayLock, bool MayBeAnHvaPath, bool MayBeAGmemPath);

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// The first, syntax-only test of whether a method body could break a contract, made before
    /// any <see cref="IOperation"/> or control-flow graph exists (building those costs more than
    /// everything else). It is conservative by construction: every way SPEC section 3 gives a
    /// body a role goes through a name the body spells, a role name, a name from the options, a
    /// name marked with a role attribute (in source or in a referenced library), or the name of
    /// a method of this compilation that itself spells one (followed transitively). A body that
    /// spells none of them is skipped; one that does still gets the semantic pre-filters.
    /// One per compilation and options, shared by the rules (the per-compilation context of the flow analysis holds it).
    /// Two shortcuts keep it cheap: a compilation that declares no name a role can start from
    /// (<see cref="RoleCatalog.SeedNames"/>) and sets no option is not read at all; and a
    /// keystroke's compilation grows its closures and takes its per-tree verdicts from the
    /// gate of the compilation before (<see cref="RecentGates"/>, <see cref="NameClosure"/>).
    /// </summary>
    internal sealed class SyntaxGate
    {
        /// <summary>GfnGuard's role attributes by simple name, without "Attribute", from the catalogue.</summary>
        internal static readonly ImmutableHashSet<string> RoleAttributes = RoleCatalog.All
            .Where(role => role.AttributeShortName is not null)
            .Select(role => role.AttributeShortName!)
            .ToImmutableHashSet(System.StringComparer.Ordinal);

        /// <summary>The role attributes by their own names: what <see cref="UsingAliases.AttributeRoles"/> gives when there is no alias.</summary>
        private static readonly Dictionary<string, string> RoleAttributesByName =
            RoleAttributes.ToDictionary(name => name, name => name, System.StringComparer.Ordinal);

        /// <summary>How a role attribute can be spelled in source: its name, with or without "Attribute".</summary>
        private static readonly HashSet<string> RoleAttributeSpellings = Spellings(RoleAttributes);

        /// <summary>The role an attribute's (simple) class name plays, without "Attribute", or null when none.</summary>
        internal static string? RoleAttributeOf(string? attributeName) =>
            attributeName is not null && RoleNames.WithoutAttributeSuffix(attributeName) is var name && RoleAttributes.Contains(name) ? name : null;

        private static HashSet<string> Spellings(IEnumerable<string> attributeNames) =>
            new HashSet<string>(attributeNames.SelectMany(name => new[] { name, name + "Attribute" }), System.StringComparer.Ordinal);

        private readonly HashSet<string> _privateFlags = new HashSet<string>(RoleCatalog.OnlyPrivateMembers, System.StringComparer.Ordinal);
        private readonly HashSet<string> _sharedFlags = new HashSet<string>(RoleCatalog.OnlySharedMembers, System.StringComparer.Ordinal);
        private readonly HashSet<string> _rangeTypes = new HashSet<string>(RoleCatalog.GfnRangeTypes.Names, System.StringComparer.Ordinal);
        private readonly HashSet<string> _typesWithConstructors = new HashSet<string>(System.StringComparer.Ordinal);
        // The closures themselves, for the gate of the next keystroke's compilation to grow from.
        private readonly NameClosure? _flagClosure;
        private readonly NameClosure? _lockClosure;
        private readonly NameClosure? _reclaimClosure;
        private readonly NameClosure? _zapClosure;
        private readonly NameClosure? _flushClosure;

        private readonly HashSet<string> _flagHelpers;
        private readonly HashSet<string> _lockNames;
        private readonly HashSet<string> _reclaimNames;
        private readonly HashSet<string> _zapNames;
        private readonly HashSet<string> _flushNames;

        // Whether a gfn range type can exist here at all: some tree spells a range type's name (so
        // it may declare or name one), or a referenced library declares one. Without one, no body
        // can make a range, and a target-typed new() (which spells no type) cannot make one either.
        private readonly bool _aRangeTypeMayExist;

        // Nothing in this compilation can have a role (see AnySeedDeclared): every question is no.
        private readonly bool _nothingToAsk;

        // Made once: IsSeedName as a delegate, for ContainsSymbolsWithName.
        private static readonly System.Func<string, bool> s_isSeedName = RoleCatalog.IsSeedName;

        // Whether any tree spells upstream's filter (attr_filter, AttrFilter, [GfnRangeFilter]): KVM0004 needs one.
        private readonly bool _anyFilterForm;

        // What can make a method an HVA-based path by name: its own name (kvm_mmu_notifier_*
        // through the prefix, which a tree's names hold as a name of its own), a parameter's
        // type, [HvaPath], or a name from the options.
        private readonly HashSet<string> _hvaPathNames = new HashSet<string>(System.StringComparer.Ordinal);

        // What can make a method a guest_memfd path by name: a kernel name or prefix, [GmemPath], a configured name.
        private readonly HashSet<string> _gmemPathNames = new HashSet<string>(System.StringComparer.Ordinal);

        // The calls that walk the memslots by HVA, which make the method that makes them an HVA-based path.
        private readonly HashSet<string> _hvaWalkNames = new HashSet<string>(RoleCatalog.HvaWalkMethods, System.StringComparer.Ordinal) { RoleCatalog.RuntimeHvaWalkMethod };
        // Each tree's verdict, made at the first block of the tree that asks; weakly, as the gate
        // outlives its compilation in RecentGates.
        private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyntaxTree, VerdictBox> _verdicts =
            new System.Runtime.CompilerServices.ConditionalWeakTable<SyntaxTree, VerdictBox>();

        // Made once: a lambda over `this` passed to GetOrAdd is a new delegate on every call, and every block asks.
        private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyntaxTree, VerdictBox>.CreateValueCallback _judgeTree;

        // Weakly, for the same reason: a question about every tree is asked only while the compilation is in use.
        private readonly System.WeakReference<Compilation> _compilation;
        private System.WeakReference<SyntaxGate>? _grownFrom;

        internal SyntaxGate(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
        {
            _compilation = new System.WeakReference<Compilation>(compilation);
            _judgeTree = tree => new VerdictBox(JudgeTree(tree));
            var lockBase = new HashSet<string>(System.StringComparer.Ordinal);
            lockBase.UnionWith(RoleCatalog.MmuLockMembers.Names);
            lockBase.UnionWith(RoleCatalog.AcquireMethods.Names);
            lockBase.UnionWith(RoleCatalog.ReleaseMethods.Names);
            lockBase.UnionWith(RoleCatalog.LockPrimitives);
            var reclaimBase = new HashSet<string>(RoleCatalog.ReclaimMethods.Names, System.StringComparer.Ordinal);
            var zapBase = new HashSet<string>(RoleCatalog.ZapMethods.Names, System.StringComparer.Ordinal);
            var flushBase = new HashSet<string>(RoleCatalog.TlbFlushMethods.Names, System.StringComparer.Ordinal);
            var filterNames = new HashSet<string>(RoleCatalog.GfnRangeFilterMembers.Names, System.StringComparer.Ordinal);
            filterNames.UnionWith(Spellings(new[] { RoleCatalog.GfnRangeFilterMembers.AttributeShortName! }));

            var hvaRangeTypes = new HashSet<string>(RoleCatalog.HvaRangeParameterTypes, System.StringComparer.Ordinal);
            _hvaPathNames.UnionWith(RoleCatalog.HvaPathMethods.Names);
            _hvaPathNames.UnionWith(RoleCatalog.HvaPathMethods.Prefixes);
            _hvaPathNames.UnionWith(_hvaWalkNames);
            _gmemPathNames.UnionWith(RoleCatalog.GmemPathMethods.Names);
            _gmemPathNames.UnionWith(RoleCatalog.GmemPathMethods.Prefixes);

            // Names from the options first: they may name anything, so a compilation with any
            // is always read.
            var configured = false;
            var fingerprints = new System.Text.StringBuilder();
            var treeIndex = 0;
            foreach (var tree in compilation.SyntaxTrees)
            {
                var config = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
                var fingerprint = RoleOptions.Fingerprint(config);
                treeIndex++;
                if (fingerprint.Length > 0)
                {
                    fingerprints.Append(treeIndex).Append(':').Append(fingerprint).Append('\n');
                    configured = true;
                    var roleOptions = RoleOptions.Read(config);
                    AddLastSegments(_rangeTypes, roleOptions.NamesFor(RoleCatalog.GfnRangeTypes));
                    AddLastSegments(lockBase, roleOptions.NamesFor(RoleCatalog.MmuLockMembers));
                    AddLastSegments(reclaimBase, roleOptions.NamesFor(RoleCatalog.ReclaimMethods));
                    AddLastSegments(zapBase, roleOptions.NamesFor(RoleCatalog.ZapMethods));
                    AddLastSegments(flushBase, roleOptions.NamesFor(RoleCatalog.TlbFlushMethods));
                    AddLastSegments(_hvaPathNames, roleOptions.NamesFor(RoleCatalog.HvaPathMethods));
                    AddLastSegments(_gmemPathNames, roleOptions.NamesFor(RoleCatalog.GmemPathMethods));
                }
            }

            OptionsFingerprint = fingerprints.ToString();

            // Ordinary code: nothing configured, and nothing declared, in source or in a library,
            // that a role can start from. Then no body can have a role, and no tree is read.
            var libraries = MetadataRoleNames.Libraries(compilation);
            if (!configured && !AnySeedDeclared(compilation, libraries, cancellationToken))
            {
                _nothingToAsk = true;
                _flagHelpers = _lockNames = _reclaimNames = _zapNames = _flushNames = new HashSet<string>(System.StringComparer.Ordinal);
                Aliases = new List<(string Alias, string Target)>();
                return;
            }

            // Every tree is read as a whole first; its bodies are indexed only when it spells a
            // name the gate needs: a role attribute here, a range type, or a closure name below.
            var trees = new List<(SyntaxTree Tree, TreeNames Names)>();
            var aliases = Aliases = new List<(string Alias, string Target)>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                var names = TreeNames.For(tree, cancellationToken);
                trees.Add((tree, names));
                Trees.Add(tree);
                aliases.AddRange(names.Aliases);
            }

            // A role attribute may be written under an alias; members are indexed by the name written.
            var attributeRoles = aliases.Count == 0 ? RoleAttributesByName : UsingAliases.AttributeRoles(aliases);
            var attributeSpellings = aliases.Count == 0 ? RoleAttributeSpellings : Spellings(attributeRoles.Keys);
            foreach (var (tree, names) in trees)
            {
                if (names.SpellsAny(attributeSpellings))
                {
                    AddAttributed(TreeRoleIndex.For(tree, cancellationToken).AttributedMembers, attributeRoles, lockBase, reclaimBase, zapBase, flushBase);
                }
            }

            foreach (var library in libraries)
            {
                AddAttributed(MetadataRoleNames.Of(library), RoleAttributesByName, lockBase, reclaimBase, zapBase, flushBase);
            }

            UsingAliases.Close(_rangeTypes, aliases);
            UsingAliases.Close(hvaRangeTypes, aliases);
            _hvaPathNames.UnionWith(hvaRangeTypes);
            _hvaPathNames.UnionWith(Spellings(attributeRoles.Where(pair => pair.Value == RoleCatalog.HvaPathMethods.AttributeShortName).Select(pair => pair.Key)));
            _gmemPathNames.UnionWith(Spellings(attributeRoles.Where(pair => pair.Value == RoleCatalog.GmemPathMethods.AttributeShortName).Select(pair => pair.Key)));

            // A range type's hand-written constructor is declared in a tree that spells the type.
            foreach (var (tree, names) in trees)
            {
                if (names.SpellsAny(_rangeTypes))
                {
                    _aRangeTypeMayExist = true;
                    _typesWithConstructors.UnionWith(TreeRoleIndex.For(tree, cancellationToken).TypesWithConstructors);
                }
            }

            _aRangeTypeMayExist |= MetadataRoleNames.AnyDeclares(libraries, _rangeTypes);

            UsingAliases.Close(_typesWithConstructors, aliases);

            // A helper changes a range's flags by storing them (so its body spells a flag) or by
            // storing a newly built range (so it spells a range type).
            var flagBase = new HashSet<string>(_privateFlags, System.StringComparer.Ordinal);
            flagBase.UnionWith(_sharedFlags);
            flagBase.UnionWith(_rangeTypes);
            // After a keystroke the closures grow from the last compilation's, where it shares most trees.
            var previous = RecentGates.Best(trees);
            if (previous is not null)
            {
                GrownFrom = previous;
            }

            _flagClosure = NameClosure.Compute(trees, flagBase, previous?._flagClosure, previous?.Trees, cancellationToken);
            _lockClosure = NameClosure.Compute(trees, lockBase, previous?._lockClosure, previous?.Trees, cancellationToken);
            _reclaimClosure = NameClosure.Compute(trees, reclaimBase, previous?._reclaimClosure, previous?.Trees, cancellationToken);
            _zapClosure = NameClosure.Compute(trees, zapBase, previous?._zapClosure, previous?.Trees, cancellationToken);
            _flushClosure = NameClosure.Compute(trees, flushBase, previous?._flushClosure, previous?.Trees, cancellationToken);
            _flagHelpers = _flagClosure.Found;
            _lockNames = _lockClosure.WithSeeds;
            _reclaimNames = _reclaimClosure.WithSeeds;
            _zapNames = _zapClosure.WithSeeds;
            _flushNames = _flushClosure.WithSeeds;
            foreach (var (_, names) in trees)
            {
                _anyFilterForm |= names.SpellsAny(filterNames);
            }

            if (previous is not null && AsksTheSameOfATreeAs(previous))
            {
                // A tree both compilations hold gets the verdict it got: the questions are the same.
                foreach (var (tree, _) in trees)
                {
                    if (previous._verdicts.TryGetValue(tree, out var verdict))
                    {
                        _verdicts.Add(tree, verdict);
                    }
                }
            }

            RecentGates.Remember(this);
        }

        /// <summary>The gate of an earlier compilation this one's closures grew from (held weakly: gates must not keep each other).</summary>
        internal SyntaxGate? GrownFrom
        {
            get => _grownFrom is not null && _grownFrom.TryGetTarget(out var gate) ? gate : null;
            private set => _grownFrom = value is null ? null : new System.WeakReference<SyntaxGate>(value);
        }

        /// <summary>The role options of every tree that has some, by the tree's place in the compilation ("" when none has).</summary>
        internal string OptionsFingerprint { get; } = string.Empty;

        /// <summary>
        /// Whether every question this gate asks has the answer <paramref name="other"/> gives, but
        /// for the verdicts of trees only one of them holds: the same names in every set, the same
        /// options. A body then passes here exactly where it passed there.
        /// </summary>
        internal bool AsksTheSameAs(SyntaxGate other) =>
            _nothingToAsk == other._nothingToAsk && _anyFilterForm == other._anyFilterForm && OptionsFingerprint == other.OptionsFingerprint
            && (_nothingToAsk || (AsksTheSameOfATreeAs(other) && Same(_zapNames, other._zapNames) && Same(_flushNames, other._flushNames)));

        /// <summary>Whether <paramref name="tree"/> gets here the verdict <paramref name="otherTree"/> gets in <paramref name="other"/>.</summary>
        internal bool SameVerdict(SyntaxTree tree, SyntaxGate other, SyntaxTree otherTree) => VerdictFor(tree).Equals(other.VerdictFor(otherTree));

        /// <summary>Whether the body of <paramref name="declaration"/> spells one of <paramref name="names"/>.</summary>
        internal bool BodySpellsAny(SyntaxNode declaration, HashSet<string> names) => Summarize(declaration).SpellsAny(names);

        /// <summary>A tree's verdict as an object, for the weak table.</summary>
        private sealed class VerdictBox
        {
            internal VerdictBox(TreeVerdict verdict)
            {
                Verdict = verdict;
            }

            internal TreeVerdict Verdict { get; }
        }

        /// <summary>
        /// Whether <see cref="JudgeTree"/> asks a tree the same questions here as in <paramref name="other"/>:
        /// every name set it reads that can differ between gates is equal (the flag names are the catalogue's).
        /// </summary>
        private bool AsksTheSameOfATreeAs(SyntaxGate other) =>
            _aRangeTypeMayExist == other._aRangeTypeMayExist
            && Same(_rangeTypes, other._rangeTypes)
            && Same(_typesWithConstructors, other._typesWithConstructors)
            && Same(_flagHelpers, other._flagHelpers)
            && Same(_lockNames, other._lockNames)
            && Same(_reclaimNames, other._reclaimNames)
            && Same(_hvaPathNames, other._hvaPathNames)
            && Same(_gmemPathNames, other._gmemPathNames);

        // A closure no new tree added to is the last gate's own set (NameClosure.Compute), and
        // comparing thousands of names cost 2 ms a keystroke at 500 files.
        private static bool Same(HashSet<string> one, HashSet<string> other) => ReferenceEquals(one, other) || one.SetEquals(other);

        /// <summary>
        /// KVM0001: could this block make both flags true? Its body must spell a flag of each
        /// kind, call a method of this compilation that touches flags, or construct a range with
        /// arguments or through a hand-written constructor.
        /// </summary>
        internal bool MaySetBothFlags(SyntaxNode declaration) =>
            VerdictFor(declaration.SyntaxTree).MaySetBothFlags && MaySetBothFlags(Summarize(declaration));

        private bool MaySetBothFlags(ISpelling body)
        {
            // A flag is a member of a range type (SymbolRoles.TryGetFlag): with no range type, no
            // body can set one, through a helper or a creation of any kind.
            if (!_aRangeTypeMayExist)
            {
                return false;
            }

            if (body.HasImplicitCreation
                || (body.SpellsAny(_privateFlags) && body.SpellsAny(_sharedFlags))
                || body.SpellsAny(_flagHelpers))
            {
                return true;
            }

            foreach (var (type, withArguments) in body.Creations)
            {
                if (_rangeTypes.Contains(type) && (withArguments || _typesWithConstructors.Contains(type)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>KVM0003: could this block reclaim with the lock held? It must spell a reclaim, and a lock (or be marked as running under it).</summary>
        internal bool MayReclaimUnderLock(SyntaxNode declaration, bool heldOnEntry)
        {
            var tree = VerdictFor(declaration.SyntaxTree);
            if (!tree.MayReclaim || !(heldOnEntry || tree.MayLock))
            {
                return false;
            }

            var body = Summarize(declaration);
            return body.SpellsAny(_reclaimNames) && (heldOnEntry || body.SpellsAny(_lockNames));
        }

        /// <summary>
        /// KVM0007: could this block take or drop mmu_lock? It must spell a lock name, or a method
        /// that reaches one (a held-on-entry body that only asserts it cannot unbalance it).
        /// </summary>
        internal bool MayTouchTheLock(SyntaxNode declaration) =>
            VerdictFor(declaration.SyntaxTree).MayLock && Summarize(declaration).SpellsAny(_lockNames);

        /// <summary>KVM0006: could this block zap and then drop mmu_lock? It must spell both.</summary>
        internal bool MayZapThenUnlock(SyntaxNode declaration)
        {
            if (!VerdictFor(declaration.SyntaxTree).MayLock)
            {
                return false;
            }

            var body = Summarize(declaration);
            return body.SpellsAny(_zapNames) && body.SpellsAny(_lockNames);
        }

        /// <summary>The using aliases every tree declares (see <see cref="UsingAliases"/>); none when <see cref="NothingToAsk"/>.</summary>
        internal List<(string Alias, string Target)> Aliases { get; }

        /// <summary>The trees this gate read (for <see cref="RecentGates"/>).</summary>
        internal WeakTreeSet Trees { get; } = new WeakTreeSet();

        /// <summary>Whether this compilation was found to have no role without reading a tree (ordinary code).</summary>
        internal bool NothingToAsk => _nothingToAsk;

        /// <summary>Could any tree take or drop mmu_lock (KVM0006, KVM0007)?</summary>
        internal bool AnyTreeMayLock => AnyTree(static verdict => verdict.MayLock);

        /// <summary>Could a method of this name zap SPTEs (itself a zap name, or its body reaches one)?</summary>
        internal bool MayZap(string methodName) => _zapNames.Contains(methodName);

        /// <summary>Could a method of this name flush the TLBs (itself a flush name, or its body reaches one)?</summary>
        internal bool MayFlushTlbs(string methodName) => _flushNames.Contains(methodName);

        /// <summary>Could any tree of the compilation make both flags true (KVM0001)?</summary>
        internal bool AnyTreeMaySetBothFlags => _aRangeTypeMayExist && AnyTree(static verdict => verdict.MaySetBothFlags);

        /// <summary>Could any tree reclaim (KVM0003; a lock held on entry needs no lock name)?</summary>
        internal bool AnyTreeMayReclaim => AnyTree(static verdict => verdict.MayReclaim);

        /// <summary>Could any tree be an HVA-based path (KVM0002)?</summary>
        internal bool AnyTreeMayBeAnHvaPath => AnyTree(static verdict => verdict.MayBeAnHvaPath);

        /// <summary>Could any tree be a guest_memfd path (KVM0005)?</summary>
        internal bool AnyTreeMayBeAGmemPath => AnyTree(static verdict => verdict.MayBeAGmemPath);

        /// <summary>Could any tree hand a range of the filter form to a zap (KVM0004), or declare a type of that form (KVM0901)? Some tree must spell the filter.</summary>
        internal bool AnyTreeMayZapAFilteredRange => _anyFilterForm;

        private bool AnyTree(System.Func<TreeVerdict, bool> question)
        {
            if (!_compilation.TryGetTarget(out var compilation))
            {
                return false;
            }

            foreach (var tree in compilation.SyntaxTrees)
            {
                if (question(VerdictFor(tree)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The gate's questions asked of a whole tree, once: the predicates only grow with what a
        /// body spells, so a tree that fails one fails it for every body in it.
        /// </summary>
        private TreeVerdict VerdictFor(SyntaxTree tree) => _nothingToAsk ? default : _verdicts.GetValue(tree, _judgeTree).Verdict;

        private TreeVerdict JudgeTree(SyntaxTree tree)
        {
            var whole = TreeNames.For(tree, default);
            return (MaySetBothFlags(whole), whole.SpellsAny(_reclaimNames), whole.SpellsAny(_lockNames), whole.SpellsAny(_hvaPathNames), whole.SpellsAny(_gmemPathNames));
        }

        /// <summary>
        /// KVM0002: could this block be an HVA-based path? Its tree must spell a way a method
        /// becomes one (SPEC section 3): a kernel name or the notifier prefix, an HVA range type,
        /// [HvaPath], or a configured name. The symbol is asked only after this.
        /// </summary>
        internal bool MayBeAnHvaPath(SyntaxNode declaration) => VerdictFor(declaration.SyntaxTree).MayBeAnHvaPath;

        /// <summary>
        /// KVM0004: could this block hand a range of upstream's filter form to a zap? Some tree of
        /// the compilation must spell the filter, and the body a zap or a method that reaches one.
        /// </summary>
        internal bool MayZapAFilteredRange(SyntaxNode declaration) => _anyFilterForm && Summarize(declaration).SpellsAny(_zapNames);

        /// <summary>Could a method of this name hand a range to a zap? Only if its body spells a zap, directly or through the methods it calls.</summary>
        internal bool MayZapAFilteredRangeNamed(string methodName) => _anyFilterForm && _zapNames.Contains(methodName);

        /// <summary>
        /// KVM0005: could this block be a guest_memfd path? Its tree must spell a way a method
        /// becomes one: a kernel name or the kvm_gmem_ / __kvm_gmem_ prefix, [GmemPath], or a
        /// configured name. The symbol is asked only after this.
        /// </summary>
        internal bool MayBeAGmemPath(SyntaxNode declaration) => VerdictFor(declaration.SyntaxTree).MayBeAGmemPath;

        /// <summary>
        /// KVM0002, for a block whose signature makes it no HVA-based path: could it be one by
        /// what it does? Its body must spell a call that walks the memslots by HVA.
        /// </summary>
        internal bool MayWalkMemslotsByHva(SyntaxNode declaration) => !_nothingToAsk && Summarize(declaration).SpellsAny(_hvaWalkNames);

        /// <summary>
        /// Could a method of this name take or drop mmu_lock? Only if it is a lock name or its
        /// body spells one, directly or through the methods it calls.
        /// </summary>
        internal bool MayTouchTheLock(string methodName) => _lockNames.Contains(methodName);

        /// <summary>Could a method of this name reclaim guest memory? Only if it is a reclaim name or its body spells one, directly or through the methods it calls.</summary>
        internal bool MayReclaim(string methodName) => _reclaimNames.Contains(methodName);

        /// <summary>The indexed summary of a declaration's body; a block the index does not know (an initializer) is read now.</summary>
        private static BodySummary Summarize(SyntaxNode declaration)
        {
            if (TreeRoleIndex.For(declaration.SyntaxTree, default).TryGetBody(declaration, out var known))
            {
                return known;
            }

            return BodySummary.Of(declaration.SyntaxTree.GetText(), declaration);
        }

        /// <summary>
        /// Whether anything a role can start from is declared: a type or member of this
        /// compilation with a seed name (the compiler's declaration table answers without reading
        /// a body), or a library that declares one or marks a member with a role attribute. Every
        /// name a rule recognises resolves to a declaration (SPEC section 3: a role name, an
        /// attribute, a flag of a range type, a method with a role prefix), so where none exists
        /// no body can have a role; code that does not compile may miss a report, never get one.
        /// </summary>
        private static bool AnySeedDeclared(Compilation compilation, List<IAssemblySymbol> libraries, CancellationToken cancellationToken)
        {
            if (compilation.ContainsSymbolsWithName(s_isSeedName, SymbolFilter.TypeAndMember, cancellationToken))
            {
                return true;
            }

            foreach (var library in libraries)
            {
                if (MetadataRoleNames.MayGiveARole(library))
                {
                    return true;
                }
            }

            return false;
        }

        private void AddAttributed(Dictionary<string, List<string>> attributed, Dictionary<string, string> attributeRoles, HashSet<string> lockBase, HashSet<string> reclaimBase, HashSet<string> zapBase, HashSet<string> flushBase)
        {
            foreach (var pair in attributed)
            {
                var role = attributeRoles.TryGetValue(pair.Key, out var name) ? name : null;
                if (role == RoleCatalog.GfnRangeTypes.AttributeShortName)
                {
                    _rangeTypes.UnionWith(pair.Value);
                }
                else if (role == RoleCatalog.MmuLockMembers.AttributeShortName || role == RoleCatalog.AcquireMethods.AttributeShortName || role == RoleCatalog.ReleaseMethods.AttributeShortName)
                {
                    lockBase.UnionWith(pair.Value);
                }
                else if (role == RoleCatalog.ReclaimMethods.AttributeShortName)
                {
                    reclaimBase.UnionWith(pair.Value);
                }
                else if (role == RoleCatalog.ZapMethods.AttributeShortName)
                {
                    zapBase.UnionWith(pair.Value);
                }
                else if (role == RoleCatalog.TlbFlushMethods.AttributeShortName)
                {
                    flushBase.UnionWith(pair.Value);
                }
            }
        }

        private static void AddLastSegments(HashSet<string> target, ImmutableHashSet<string> names)
        {
            foreach (var name in names)
            {
                var dot = name.LastIndexOf('.');
                target.Add(dot < 0 ? name : name.Substring(dot + 1));
            }
        }
    }
}
