using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// KVM0003: kvm_arch_guest_memory_reclaimed() (or anything of this compilation that calls
    /// it) must not run while mmu_lock is, or may be, held on some path.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ReclaimUnderMmuLockAnalyzer : CodeBlockRule
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.ReclaimUnderMmuLock);

        private protected override void Analyze(MethodBody body, RoleContext roleContext) => AnalyzeBlock(body, roleContext);

        private protected override bool MayApplyTo(Gate.SyntaxGate gate) => gate.AnyTreeMayReclaim;

        internal static void AnalyzeBlock(MethodBody context, RoleContext roleContext)
        {
            // The lock-state run, shared with KVM0007; then, past the same gate, the delegates
            // this body hands to a method that runs them under its lock.
            if (LockRuleRun.Report(context, roleContext, LockRuleRun.Reclaim))
            {
                ReportDelegatesRunUnderTheLock(context, MethodFlowRunner.RolesFor(context, roleContext));
            }
        }

        /// <summary>
        /// The cheap tests before any graph is built: the body (or a nested function) calls a
        /// reclaim, and the lock can be held in it at all (held on entry, taken, or asserted).
        /// </summary>
        internal static bool WorthAnalysing(IOperation root, RoleView roles, bool heldOnEntry, System.Func<bool> touchesTheLock) =>
            CallsAReclaim(root, roles) && (heldOnEntry || touchesTheLock() || AssertsTheLock(root));

        /// <summary>The observer that gathers this rule's findings on a lock-state run over <paramref name="body"/>.</summary>
        internal static FlowObserver NewReporter(MethodBody body, RoleView roles) => new Reporter(body, roles);

        /// <summary>
        /// A delegate this method hands to a method of the compilation that invokes it while it
        /// holds mmu_lock (the kernel's <c>range->on_lock(kvm)</c> in <c>__kvm_handle_hva_range</c>):
        /// a method group or lambda passed for it that reclaims is a reclaim under the lock,
        /// reported where it is passed (the initializer member or the argument).
        /// </summary>
        private static void ReportDelegatesRunUnderTheLock(MethodBody context, RoleView roles)
        {
            if (context.Root() is not { } root)
            {
                return;
            }

            foreach (var invocation in MethodSummaries.InvocationsOutsideNestedFunctions(root))
            {
                if (invocation.TargetMethod.DeclaringSyntaxReferences.IsEmpty)
                {
                    continue;
                }

                foreach (var underLock in roles.Summaries.DelegatesInvokedUnderLock(invocation.TargetMethod))
                {
                    foreach (var argument in invocation.Arguments)
                    {
                        if (argument.Parameter?.Ordinal != underLock.Ordinal || DelegatePassed(argument.Value, underLock.Member, roles.Summaries) is not { } passed
                            || roles.Summaries.InvokedFunction(passed.Value) is not { } function
                            || roles.Summaries.ReclaimChainOf(function) is not { IsEmpty: false } chain)
                        {
                            continue;
                        }

                        var site = underLock.TakenAt ?? underLock.InvokedAt;
                        var line = (site.GetLocation().GetLineSpan().StartLinePosition.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                        var name = function.MethodKind == MethodKind.AnonymousFunction ? "lambda" : function.Name;
                        var through = $" (run under mmu_lock by '{invocation.TargetMethod.Name}' as '{underLock.Member ?? argument.Parameter.Name}'"
                            + (chain.Length > 1 ? ", through " + string.Join(" → ", chain.SetItem(0, name)) : string.Empty) + ")";
                        context.ReportDiagnostic(DiagnosticRecipe.Create(
                            Descriptors.ReclaimUnderMmuLock,
                            passed.At.GetLocation(),
                            new[] { site.GetLocation(), underLock.InvokedAt.GetLocation() },
                            null,
                            name,
                            through,
                            line));
                    }
                }
            }
        }

        /// <summary>The delegate value a call is given for a parameter (or for a delegate field of the struct or object it is given), and where it is written.</summary>
        private static (IOperation Value, SyntaxNode At)? DelegatePassed(IOperation value, string? member, MethodSummaries summaries)
        {
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            if (member is null)
            {
                return (value, value.Syntax);
            }

            if (value is ILocalReferenceOperation local && summaries.InitializerOf(local.Local) is { } initializer)
            {
                value = initializer;
            }

            if (value is IObjectCreationOperation { Initializer: { } objectInitializer })
            {
                foreach (var initialized in objectInitializer.Initializers)
                {
                    if (initialized is ISimpleAssignmentOperation { Target: IMemberReferenceOperation target } assignment && target.Member.Name == member)
                    {
                        return (assignment.Value, assignment.Syntax);
                    }
                }
            }

            return null;
        }

        /// <summary>A lockdep_assert_held*() call: the lock is held from there on.</summary>
        private static bool AssertsTheLock(IOperation root)
        {
            foreach (var operation in root.Descendants())
            {
                if (operation is IInvocationOperation invocation && LockOperations.IsLockdepAssert(invocation))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The first cheap test before any graph is built: does the body (or a nested function)
        /// call a reclaim? The second: can the lock be held in it at all (held on entry, taken,
        /// or asserted)? A reclaim in a method that never sees the lock cannot be under it.
        /// </summary>
        private static bool CallsAReclaim(IOperation root, RoleView roles)
        {
            foreach (var operation in root.Descendants())
            {
                if (operation is IInvocationOperation invocation ? !roles.Summaries.ReclaimChainOf(invocation).IsEmpty
                    : MethodSummaries.CalledBy(operation) is { } called && !roles.Summaries.ReclaimChainOf(called).IsEmpty)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Gathers reclaim calls reached with the lock possibly held, with every place the lock was taken on those paths.</summary>
        private sealed class Reporter : FlowObserver
        {
            private readonly MethodBody _context;
            private readonly RoleView _roles;
            private readonly Dictionary<SyntaxNode, (ImmutableArray<string> Chain, List<SyntaxNode> TakenAt)> _found =
                new Dictionary<SyntaxNode, (ImmutableArray<string>, List<SyntaxNode>)>();

            private readonly List<SyntaxNode> _order = new List<SyntaxNode>();

            internal Reporter(MethodBody context, RoleView roles)
            {
                _context = context;
                _roles = roles;
            }

            internal override bool ObservesInvocations => true;

            internal override void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
            {
                // Any VM's lock: a WBINVD stalls every CPU while any of them is held.
                if (state.AnyLock().MayBeTrue)
                {
                    Found(invocation.Syntax, _roles.Summaries.ReclaimChainOf(invocation), state);
                }
            }

            /// <summary>A constructor, accessor or operator is a call too (SPEC section 2).</summary>
            internal override void OnCall(IOperation call, IMethodSymbol method, FlowState state)
            {
                if (state.AnyLock().MayBeTrue)
                {
                    Found(call.Syntax, _roles.Summaries.ReclaimChainOf(method), state);
                }
            }

            private void Found(SyntaxNode node, ImmutableArray<string> chain, FlowState state)
            {
                if (chain.IsEmpty)
                {
                    return;
                }

                var lockState = state.AnyLock();
                if (!_found.TryGetValue(node, out var entry))
                {
                    entry = (chain, new List<SyntaxNode>());
                    _found[node] = entry;
                    _order.Add(node);
                }

                foreach (var site in lockState.TrueSites)
                {
                    if (!entry.TakenAt.Contains(site))
                    {
                        entry.TakenAt.Add(site);
                    }
                }
            }

            internal override void Complete()
            {
                foreach (var node in _order)
                {
                    var (chain, sites) = _found[node];
                    var takenAt = sites.Select(site => site.GetLocation()).OrderBy(l => l.SourceSpan.Start).ToList();
                    var line = takenAt.Count > 0 ? (takenAt[0].GetLineSpan().StartLinePosition.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
                    var through = chain.Length > 1 ? " (through " + string.Join(" → ", chain) + ")" : string.Empty;
                    _context.ReportDiagnostic(DiagnosticRecipe.Create(
                        Descriptors.ReclaimUnderMmuLock,
                        node.GetLocation(),
                        takenAt,
                        null,
                        chain[0],
                        through,
                        line));
                }
            }
        }
    }
}
