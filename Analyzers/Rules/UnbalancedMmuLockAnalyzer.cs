using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// KVM0007: mmu_lock is balanced. A method that takes it releases it on every path that
    /// returns (exceptions aside), never releases it when it is not held, never takes it again
    /// while holding it (the kernel's rwlock is not recursive), and releases the mode it took.
    /// Lock helpers (marked, or taking or dropping it on every path) are lock operations.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class UnbalancedMmuLockAnalyzer : CodeBlockRule
    {
        /// <summary>Diagnostic property: the release a fix inserts before the return (absent when none can be offered).</summary>
        internal const string ReleaseProperty = "Release";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.UnbalancedMmuLock);

        private protected override bool MayApplyTo(Gate.SyntaxGate gate) => gate.AnyTreeMayLock;

        private protected override void Analyze(MethodBody body, RoleContext roleContext) => AnalyzeBlock(body, roleContext);

        /// <summary>The lock-state run, shared with KVM0003 (<see cref="LockRuleRun"/>).</summary>
        internal static void AnalyzeBlock(MethodBody body, RoleContext roleContext) => LockRuleRun.Report(body, roleContext, LockRuleRun.Balance);

        /// <summary>The observer that gathers this rule's findings on a lock-state run over <paramref name="body"/>.</summary>
        internal static FlowObserver NewReporter(MethodBody body, RoleView roles, bool heldOnEntry) => new Reporter(body, roles, heldOnEntry);

        private sealed class Reporter : FlowObserver
        {
            private readonly MethodBody _body;
            private readonly RoleView _roles;
            private readonly bool _heldOnEntry;

            // Asked only when a return would be reported: the summary it reads is a dataflow of its own.
            private bool? _isHelper;

            // Where this graph takes the lock (not asserts it), with the mode each takes.
            private readonly Dictionary<SyntaxNode, LockMode> _acquisitions = new Dictionary<SyntaxNode, LockMode>();
            private readonly Dictionary<SyntaxNode, Finding> _findings = new Dictionary<SyntaxNode, Finding>();
            private readonly List<SyntaxNode> _order = new List<SyntaxNode>();
            private readonly HashSet<SyntaxNode> _notHeldAt = new HashSet<SyntaxNode>();
            private bool _asserts;

            // This graph made a lock guard, whose Dispose (a using's, in a finally) releases by the guard mark alone.
            private bool _guards;

            // Releases some path reaches without having touched the lock: of the caller's lock, held on entry.
            private readonly Dictionary<SyntaxNode, string> _callersDroppedAt = new Dictionary<SyntaxNode, string>();

            // Releases some path reaches holding a lock this method took (not retook after dropping the caller's), with where.
            private readonly Dictionary<SyntaxNode, HashSet<SyntaxNode>> _takenHereAt = new Dictionary<SyntaxNode, HashSet<SyntaxNode>>();

            internal Reporter(MethodBody body, RoleView roles, bool heldOnEntry)
            {
                _body = body;
                _roles = roles;
                _heldOnEntry = heldOnEntry;
            }

            /// <summary>A lock helper's body is a lock operation: it may leave the lock held (or dropped) by design.</summary>
            private bool IsHelper => _isHelper ??= _body.OwningSymbol is IMethodSymbol method
                && (_roles.Roles.Plays(RoleCatalog.AcquireMethods, method) || _roles.Roles.Plays(RoleCatalog.ReleaseMethods, method)
                    || _roles.Summaries.LockEffectOf(method) != LockEffect.None);

            internal override bool ObservesLockEvents => true;

            internal override void OnLockCall(IOperation call, LockEffect effect, FlowLocation lockPlace, bool ownerKnown, FlowState before)
            {
                var held = before.Get(lockPlace);
                switch (effect)
                {
                    case LockEffect.AssertHeld:
                        _asserts = true;
                        break;
                    case LockEffect.Acquire or LockEffect.GuardAcquire or LockEffect.TryAcquire:
                        _acquisitions[call.Syntax] = LockOperations.ModeOf(call);
                        _guards |= effect == LockEffect.GuardAcquire;
                        if (effect != LockEffect.TryAcquire && ownerKnown && held.IsDefinitelyTrue && !LockOperations.IsUpgrade(call, true, held.TrueSites))
                        {
                            Find(call.Syntax, Kind.TakenAgain, held.TrueSites, LockOperations.NameOf(call));
                        }

                        break;
                    case LockEffect.Release when ownerKnown && LockOperations.IsDowngrade(call, before.Upgraded(lockPlace)):
                        // The downgrade of an upgrade: the upgradeable read lock stays held.
                        break;
                    case LockEffect.Release when ownerKnown:
                        // A lock of no known owner held for certain (a try-lock's, a helper's) may be this one.
                        var heldByAnother = before.Get(OperationTransfer.LockLocation).IsDefinitelyTrue;
                        if (held.IsPureUnknown && !_heldOnEntry && !heldByAnother)
                        {
                            // No path here has touched this VM's lock since entry: the method drops its
                            // caller's lock (tdp_mmu_iter_cond_resched's unlock, cond_resched, lock). Unless
                            // another path reaches this release holding a lock this method took (checked
                            // in Complete), which makes it a release of a lock taken on some paths only.
                            _callersDroppedAt[call.Syntax] = LockOperations.NameOf(call);
                            break;
                        }

                        // A lock this method never set is not held by it, unless it runs under its caller's.
                        if (((held.Possibilities & BoolPossibilities.False) != 0 || (!_heldOnEntry && (held.Possibilities & BoolPossibilities.Unknown) != 0))
                            && !heldByAnother)
                        {
                            Find(call.Syntax, Kind.NotHeld, held.TrueSites, LockOperations.NameOf(call));
                        }
                        else if (held.IsDefinitelyTrue && !before.DroppedTheCallers(lockPlace) && !_heldOnEntry)
                        {
                            NoteTakenHere(call.Syntax, held.TrueSites);
                        }

                        if (held.IsDefinitelyTrue && LockOperations.ModeOf(call) is var mode && mode != LockMode.Unknown
                            && held.TrueSites.Length > 0
                            && held.TrueSites.All(site => _acquisitions.TryGetValue(site, out var taken) && taken != LockMode.Unknown && taken != mode))
                        {
                            Find(call.Syntax, Kind.WrongMode, held.TrueSites, LockOperations.NameOf(call), mode);
                        }

                        break;
                }
            }

            internal override void OnFixedPoint(ControlFlowGraph graph, PathStates?[] inputs, IFlowTransfer transfer, bool isMethodBody)
            {
                // A helper that takes the lock on some paths only is reported; one that holds it on
                // entry (by attribute or assertion) returns with its caller's lock, by design, as does
                // a path that dropped the caller's lock and took it again (CheckReturn).
                if (!isMethodBody || _heldOnEntry || _asserts || _acquisitions.Count == 0)
                {
                    return;
                }

                var exit = graph.Blocks.Length - 1;
                var reported = false;
                foreach (var block in graph.Blocks)
                {
                    if (inputs[block.Ordinal] is not { } input)
                    {
                        continue;
                    }

                    foreach (var (branch, whenTrue) in new[] { (block.FallThroughSuccessor, (bool?)(block.ConditionKind == ControlFlowConditionKind.None ? null : block.ConditionKind != ControlFlowConditionKind.WhenTrue)), (block.ConditionalSuccessor, (bool?)(block.ConditionKind == ControlFlowConditionKind.WhenTrue)) })
                    {
                        if (branch?.Destination?.Ordinal != exit || !FinallyLeavesTheLock(graph, branch))
                        {
                            continue;
                        }

                        var states = new List<FlowState>();
                        foreach (var path in input.Paths)
                        {
                            var output = transfer.TransferBlock(block, path, observe: false, null);
                            if (whenTrue is { } taken && block.BranchValue is not null)
                            {
                                if (transfer.Refine(output, block.BranchValue, taken) is not { } refined)
                                {
                                    continue;
                                }

                                output = refined;
                            }

                            output = transfer.Leaving(output, observe: false);

                            states.Add(output);
                        }

                        reported |= CheckReturn(graph, block, branch, states);
                    }
                }

                // A return through a finally that did not release it: the end of the method is all that is left to name.
                if (!reported && inputs[exit] is { } atExit)
                {
                    CheckReturn(graph, graph.Blocks[exit], null, atExit.Paths.ToList());
                }
            }

            /// <summary>
            /// Does the way out leave the lock as it is? A return inside a <c>foreach</c> or <c>using</c>
            /// runs a finally on its way out; one that cannot touch the lock (an enumerator's Dispose)
            /// leaves the lock state at the return as it is at the exit. A lock guard's Dispose
            /// (a using's) does touch it.
            /// </summary>
            private bool FinallyLeavesTheLock(ControlFlowGraph graph, ControlFlowBranch branch)
            {
                foreach (var region in branch.FinallyRegions)
                {
                    for (var ordinal = region.FirstBlockOrdinal; ordinal <= region.LastBlockOrdinal; ordinal++)
                    {
                        var block = graph.Blocks[ordinal];
                        foreach (var operation in block.Operations)
                        {
                            // A guard's Dispose releases by the guard mark, which no summary sees.
                            if (_roles.Summaries.MayTouchTheLock(operation)
                                || (_guards && operation is IInvocationOperation { TargetMethod.Name: "Dispose" }))
                            {
                                return false;
                            }
                        }

                        if (block.BranchValue is { } value && _roles.Summaries.MayTouchTheLock(value))
                        {
                            return false;
                        }
                    }
                }

                return true;
            }

            /// <summary>Reports the return <paramref name="branch"/> leaves by when some path reaches it holding a lock this method took.</summary>
            private bool CheckReturn(ControlFlowGraph graph, BasicBlock block, ControlFlowBranch? branch, List<FlowState> states)
            {
                var sites = new List<SyntaxNode>();
                var everyPath = states.Count > 0;
                foreach (var state in states)
                {
                    var heldHere = false;
                    foreach (var (lockState, held) in state.LockStates())
                    {
                        if (held.IsDefinitelyTrue && held.TrueSites.Any(_acquisitions.ContainsKey) && !state.DroppedTheCallers(lockState))
                        {
                            heldHere = true;
                            sites.AddRange(held.TrueSites.Where(site => _acquisitions.ContainsKey(site) && !sites.Contains(site)));
                        }
                    }

                    everyPath &= heldHere;
                }

                var at = ReturnSyntax(graph, block, branch);
                if (sites.Count == 0)
                {
                    // Another way into the same return that does not hold it: no single release fits both.
                    if (states.Count > 0)
                    {
                        _notHeldAt.Add(at);
                    }

                    return false;
                }

                // A helper reports no return (asked here, not first: most methods that take the lock have none to report).
                if (!IsHelper)
                {
                    Find(at, Kind.HeldAtReturn, sites.ToImmutableArray(), _body.OwningSymbol.Name, fixable: branch is not null && everyPath && sites.Count == 1);
                }

                return true;
            }

            /// <summary>The <c>return</c> a branch to the exit comes from, or the method's closing brace (or expression body) when it falls off the end.</summary>
            private SyntaxNode ReturnSyntax(ControlFlowGraph graph, BasicBlock block, ControlFlowBranch? branch)
            {
                if (branch is not null && block.ConditionKind == ControlFlowConditionKind.None
                    && block.BranchValue?.Syntax.FirstAncestorOrSelf<ReturnStatementSyntax>() is { } returned)
                {
                    return returned;
                }

                // `if (early) return;`: the condition's block jumps to the exit itself.
                var conditional = branch is not null && block.ConditionKind != ControlFlowConditionKind.None && block.BranchValue is not null;
                if (conditional || (branch is not null && (block.Operations.IsEmpty || branch.Semantics == ControlFlowBranchSemantics.Return) && block.BranchValue is null))
                {
                    // A `return;` has a block of its own: the first one after what its predecessors last ran.
                    var anchor = LastPosition(block);
                    foreach (var predecessor in conditional ? Enumerable.Empty<ControlFlowBranch>() : block.Predecessors)
                    {
                        anchor = System.Math.Max(anchor, LastPosition(predecessor.Source));
                    }

                    var candidate = _body.Declaration.DescendantNodes(node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                        .OfType<ReturnStatementSyntax>()
                        .Where(r => r.SpanStart >= anchor)
                        .OrderBy(r => r.SpanStart)
                        .FirstOrDefault();
                    if (candidate is not null)
                    {
                        return candidate;
                    }
                }
                else if (branch is not null && block.Operations.Length > 0
                    && block.Operations[block.Operations.Length - 1].Syntax.FirstAncestorOrSelf<StatementSyntax>() is { Parent: BlockSyntax parent } last
                    && parent.Statements.IndexOf(last) is var index && index >= 0 && index + 1 < parent.Statements.Count
                    && parent.Statements[index + 1] is ReturnStatementSyntax next)
                {
                    // `...; return;`: the return shares the block of the statement before it.
                    return next;
                }

                return _body.Declaration switch
                {
                    BaseMethodDeclarationSyntax { Body: { } methodBody } => methodBody.CloseBraceToken.Parent!,
                    AccessorDeclarationSyntax { Body: { } accessorBody } => accessorBody.CloseBraceToken.Parent!,
                    LocalFunctionStatementSyntax { Body: { } localBody } => localBody.CloseBraceToken.Parent!,
                    _ => _body.Declaration,
                };
            }

            private static int LastPosition(BasicBlock block)
            {
                var end = -1;
                foreach (var operation in block.Operations)
                {
                    end = System.Math.Max(end, operation.Syntax.Span.End);
                }

                return block.BranchValue is { } value ? System.Math.Max(end, value.Syntax.Span.End) : end;
            }

            private void Find(SyntaxNode at, Kind kind, ImmutableArray<SyntaxNode> takenAt, string name, LockMode mode = LockMode.Unknown, bool fixable = false)
            {
                if (_findings.TryGetValue(at, out var known))
                {
                    known.TakenAt.UnionWith(takenAt);
                    known.Fixable &= fixable;
                    return;
                }

                _findings[at] = new Finding(kind, name, mode, new HashSet<SyntaxNode>(takenAt), fixable);
                _order.Add(at);
            }

            private void NoteTakenHere(SyntaxNode release, ImmutableArray<SyntaxNode> takenAt)
            {
                if (!_takenHereAt.TryGetValue(release, out var sites))
                {
                    _takenHereAt[release] = sites = new HashSet<SyntaxNode>();
                }

                sites.UnionWith(takenAt);
            }

            internal override void Complete()
            {
                // A release reached both untouched and holding a lock taken here: `if (c)
                // write_lock(...); ... write_unlock(...);` releases on the other path a lock it
                // does not hold (the caller's cannot be held: the write_lock would deadlock).
                foreach (var release in _callersDroppedAt.OrderBy(pair => pair.Key.SpanStart))
                {
                    if (_takenHereAt.TryGetValue(release.Key, out var sites))
                    {
                        Find(release.Key, Kind.NotHeld, sites.ToImmutableArray(), release.Value);
                    }
                }

                foreach (var at in _order)
                {
                    var finding = _findings[at];

                    var takenAt = finding.TakenAt.Select(site => site.GetLocation()).OrderBy(l => l.SourceSpan.Start).ToList();
                    var line = takenAt.Count > 0 ? (takenAt[0].GetLineSpan().StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture) : null;
                    var message = finding.Kind switch
                    {
                        Kind.HeldAtReturn => $"'{finding.Name}' may return with mmu_lock still held (taken at line {line}); release it on every path that returns",
                        Kind.NotHeld => line is null
                            ? $"'{finding.Name}' releases mmu_lock, which is not held here"
                            : $"'{finding.Name}' releases mmu_lock, which is not held here on some path (taken at line {line} on others)",
                        Kind.WrongMode => $"'{finding.Name}' releases mmu_lock for {Mode(finding.Mode)}, but it was taken for {Mode(finding.Mode == LockMode.Read ? LockMode.Write : LockMode.Read)} at line {line}",
                        _ => $"'{finding.Name}' takes mmu_lock again while it is held (taken at line {line}); the kernel's rwlock is not recursive, so this deadlocks",
                    };

                    var properties = ImmutableDictionary<string, string?>.Empty;
                    if (finding.Fixable && !_notHeldAt.Contains(at) && finding.TakenAt.Count == 1 && ReleaseFor(finding.TakenAt.First()) is { } release)
                    {
                        properties = properties.Add(ReleaseProperty, release);
                    }

                    var location = at is BlockSyntax block ? block.CloseBraceToken.GetLocation() : at.GetLocation();
                    _body.ReportDiagnostic(DiagnosticRecipe.Create(Descriptors.UnbalancedMmuLock, location, takenAt, properties, message));
                }
            }

            /// <summary>
            /// The release statement that undoes an acquisition by a call form (<c>KVM_MMU_LOCK(kvm)</c>
            /// → <c>KVM_MMU_UNLOCK(kvm)</c>, <c>kvm.MmuLock.WriteLock()</c> → <c>kvm.MmuLock.WriteUnlock()</c>), or null.
            /// </summary>
            private static string? ReleaseFor(SyntaxNode acquisition)
            {
                if (acquisition is not InvocationExpressionSyntax invocation)
                {
                    return null;
                }

                var name = invocation.Expression switch
                {
                    IdentifierNameSyntax identifier => identifier.Identifier,
                    MemberAccessExpressionSyntax member => member.Name.Identifier,
                    _ => default,
                };
                if (name.RawKind == 0 || !RoleCatalog.ReleaseOfAcquire.TryGetValue(name.ValueText, out var release)
                    || (name.ValueText == RoleCatalog.EnterCall && !IsPlainEnter(invocation.ArgumentList)))
                {
                    return null;
                }

                var text = invocation.ToString();
                var offset = name.SpanStart - invocation.SpanStart;
                return text.Substring(0, offset) + release + text.Substring(offset + name.ValueText.Length) + ";";
            }

            // Monitor.Enter(x) becomes Monitor.Exit(x), and a Lock's x.Enter() x.Exit(); not
            // Monitor.Enter(x, ref taken) or a SpinLock's x.Enter(ref taken), whose release takes no flag.
            static bool IsPlainEnter(ArgumentListSyntax arguments) =>
                arguments.Arguments.Count == 0 || (arguments.Arguments.Count == 1 && arguments.Arguments[0].RefKindKeyword.RawKind == 0);

            private static string Mode(LockMode mode) => mode == LockMode.Read ? "read" : "write";

            private enum Kind
            {
                HeldAtReturn,
                NotHeld,
                WrongMode,
                TakenAgain,
            }

            private sealed class Finding
            {
                internal Finding(Kind kind, string name, LockMode mode, HashSet<SyntaxNode> takenAt, bool fixable)
                {
                    Kind = kind;
                    Name = name;
                    Mode = mode;
                    TakenAt = takenAt;
                    Fixable = fixable;
                }

                internal Kind Kind { get; }

                internal string Name { get; }

                internal LockMode Mode { get; }

                internal HashSet<SyntaxNode> TakenAt { get; }

                internal bool Fixable { get; set; }
            }
        }
    }
}
