using System;
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
    /// KVM0001: a gfn range must never have OnlyPrivate and OnlyShared both true. Reported on the
    /// store that makes the second flag true on some path where the first may already be true.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class BothFlagsSetAnalyzer : CodeBlockRule
    {
        /// <summary>Diagnostic property: the flag the reported store sets.</summary>
        public const string FlagProperty = "Flag";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.BothFlagsSet);

        private protected override void Analyze(MethodBody body, RoleContext roleContext) => AnalyzeBlock(body, roleContext);

        private protected override bool MayApplyTo(Gate.SyntaxGate gate) => gate.AnyTreeMaySetBothFlags;

        /// <summary>The flag run, shared with KVM0002, KVM0004 and KVM0005 (<see cref="FlagRuleRun"/>).</summary>
        internal static void AnalyzeBlock(MethodBody context, RoleContext roleContext) => FlagRuleRun.Report(context, roleContext, FlagRuleRun.BothFlags);

        /// <summary>The observer that gathers this rule's findings on a flag run over <paramref name="body"/>.</summary>
        /// <param name="function">The lambda or local function whose graph is observed, or null for the method's own.</param>
        internal static FlowObserver NewReporter(MethodBody body, RoleView roles, IMethodSymbol? function) => new Reporter(body, roles.Summaries, function);

        /// <summary>The pre-filter on the operation tree (see <see cref="MaySetBothFlags"/>).</summary>
        internal static bool WorthAnalysing(IOperation root, RoleView roles) => MaySetBothFlags(root, roles);

        /// <summary>
        /// The cheap test before any graph is built. KVM0001 needs both flags to be made
        /// possibly true inside the method (a value it cannot see is never assumed true), so a
        /// method qualifies only if it may set OnlyPrivate to something other than false and may
        /// set OnlyShared likewise: by a store, a constructor argument, a source constructor, a
        /// helper whose summary leaves the flag possibly true (in a range it changes or returns),
        /// or a test of the flag.
        /// </summary>
        private static bool MaySetBothFlags(IOperation block, RoleView view)
        {
            var roles = view.Roles;
            var mayPrivate = false;
            var mayShared = false;
            void Mark(FlagKind flag)
            {
                if (flag == FlagKind.OnlyPrivate)
                {
                    mayPrivate = true;
                }
                else
                {
                    mayShared = true;
                }
            }

            foreach (var operation in block.Descendants())
            {
                switch (operation)
                {
                    case IMemberReferenceOperation member when roles.TryGetFlag(member.Member, out var flag) && MayMakeTrue(member):
                        Mark(flag);
                        break;
                    case IArgumentOperation { Parameter: { } parameter } argument
                        when SymbolRoles.TryGetFlagParameter(parameter, out var flag)
                            && argument.Parent is IObjectCreationOperation creation
                            && roles.IsGfnRangeType(creation.Type)
                            && !IsConstantFalse(argument.Value):
                        Mark(flag);
                        break;
                    case IObjectCreationOperation { Constructor: { } constructor } creation
                        when !constructor.DeclaringSyntaxReferences.IsEmpty && roles.IsGfnRangeType(creation.Type):
                        // A source constructor may give the flags defaults.
                        Mark(FlagKind.OnlyPrivate);
                        Mark(FlagKind.OnlyShared);
                        break;
                    case IInvocationOperation invocation:
                        MarkCall(invocation, view, Mark);
                        break;
                    case IPropertyReferenceOperation { Property.GetMethod: { } getter } when view.Summaries.ReturnedFlagsOf(getter) is { } returned:
                        MarkEffect(returned, Mark);
                        break;
                }

                if (mayPrivate && mayShared)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Can this flag reference make the flag possibly true? Every use but a store of constant
        /// false can: a store of anything else, a ref argument, and a read too, because a branch
        /// on the flag (<c>if (range.OnlyPrivate)</c>) makes it true inside the branch.
        /// </summary>
        private static bool MayMakeTrue(IMemberReferenceOperation member) =>
            !(member.Parent is ISimpleAssignmentOperation assignment && assignment.Target == member && IsConstantFalse(assignment.Value));

        private static bool IsConstantFalse(IOperation value) => value.ConstantValue is { HasValue: true, Value: false };

        /// <summary>Marks the flags a call of the compilation may make possibly true: in a range it changes or returns, or both when it sets them from its arguments.</summary>
        private static void MarkCall(IInvocationOperation invocation, RoleView view, Action<FlagKind> mark)
        {
            var method = invocation.TargetMethod;
            if (method.DeclaringSyntaxReferences.IsEmpty)
            {
                return;
            }

            if (MayHandFlagsToAHelper(invocation, view.Roles))
            {
                MarkHelperEffects(method, view.Summaries, mark);
            }

            if (view.Summaries.ReturnedFlagsOf(method) is { } returned)
            {
                MarkEffect(returned, mark);
            }

            if (!invocation.Arguments.IsEmpty && !view.Summaries.BothFlagsFromCallers(method).IsEmpty)
            {
                // A helper that sets both flags from its arguments: decided at this call.
                mark(FlagKind.OnlyPrivate);
                mark(FlagKind.OnlyShared);
            }
        }

        /// <summary>Marks the flags a helper may leave possibly true; all of them when it has no summary.</summary>
        private static void MarkHelperEffects(IMethodSymbol method, MethodSummaries summaries, Action<FlagKind> mark)
        {
            if (summaries.FlagEffectsOf(method) is not { } effects)
            {
                mark(FlagKind.OnlyPrivate);
                mark(FlagKind.OnlyShared);
                return;
            }

            MarkEffect(effects.ForThis, mark);
            for (var i = 0; i < method.Parameters.Length; i++)
            {
                MarkEffect(effects.ForParameter(i), mark);
            }
        }

        /// <summary>Marks the flags a helper's effect on one range (or the range it returns) may leave possibly true.</summary>
        private static void MarkEffect(FlagEffect? effect, Action<FlagKind> mark)
        {
            if (effect?.OnlyPrivate is { MayBeTrueOrUnknown: true })
            {
                mark(FlagKind.OnlyPrivate);
            }

            if (effect?.OnlyShared is { MayBeTrueOrUnknown: true })
            {
                mark(FlagKind.OnlyShared);
            }
        }

        /// <summary>A call to a method of this compilation that gets a range it can change (by ref/out, or as <c>this</c>).</summary>
        private static bool MayHandFlagsToAHelper(IInvocationOperation invocation, SymbolRoles roles)
        {
            var method = invocation.TargetMethod;
            if (method.DeclaringSyntaxReferences.IsEmpty)
            {
                return false;
            }

            if (!method.IsStatic && roles.IsGfnRangeType(method.ContainingType))
            {
                return true;
            }

            foreach (var parameter in method.Parameters)
            {
                if (roles.IsGfnRangeType(parameter.Type) && (parameter.RefKind is RefKind.Ref or RefKind.Out || parameter.Type.IsReferenceType))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Gathers every store that makes a second flag true on some path, with the other flag's true-sites over all paths.</summary>
        private sealed class Reporter : FlowObserver
        {
            private readonly MethodBody _context;
            private readonly Dictionary<SyntaxNode, (FlagAssignment Assignment, List<SyntaxNode> OtherSites)> _found =
                new Dictionary<SyntaxNode, (FlagAssignment, List<SyntaxNode>)>();

            private readonly List<SyntaxNode> _order = new List<SyntaxNode>();
            private readonly MethodSummaries _summaries;
            private readonly IMethodSymbol? _function;
            private readonly Func<IMethodSymbol, bool> _hasCallers;

            internal Reporter(MethodBody context, MethodSummaries summaries, IMethodSymbol? function)
            {
                _context = context;
                _summaries = summaries;
                _function = function;
                _hasCallers = summaries.HasCallers;
            }

            /// <summary>
            /// Can the two flags be true together (SPEC section 2)? A value the method cannot see
            /// may be true, so two set from independent values can be, except: a value and its
            /// negation exclude each other; a flag no store of this method set (it came with a copied
            /// range) is another's to check (KVM0002 still finds a range that is not definitely
            /// shared-only, and the syntax gate, which needs both flags spelled, agrees); and a value the
            /// callers give (a parameter, <c>this</c>) is followed into the callers when there are
            /// any, which pass it on. One unknown stored into both, the same way up, makes both true.
            /// </summary>
            private bool MayBothBeTrue(BoolValue assigned, BoolValue other)
            {
                if (!assigned.MayBeTrueOrUnknown || !other.MayBeTrueOrUnknown)
                {
                    return false;
                }

                if (assigned.MayBeTrue && other.MayBeTrue)
                {
                    return true;
                }

                if (assigned.Excludes(other) || IsNeverSet(assigned) || IsNeverSet(other))
                {
                    return false;
                }

                if (assigned.SameUnknownAs(other))
                {
                    return true;
                }

                return !(_context.OwningSymbol is IMethodSymbol method
                    && (CallersValues.LeftToTheCallers(assigned, method, _function, _hasCallers) || CallersValues.LeftToTheCallers(other, method, _function, _hasCallers)));
            }

            /// <summary>An unknown no store of this method made (it came with a copied range): not this method's doing.</summary>
            private static bool IsNeverSet(BoolValue value) => !value.MayBeTrue && value.IsPureUnknown && value.TrueSites.IsEmpty;

            internal override bool ObservesFlagsFromCallers => true;

            /// <summary>A helper that sets both flags from what its callers give, called here with values that can both be true.</summary>
            internal override void OnFlagsFromArguments(IInvocationOperation invocation, BoolValue first, BoolValue second)
            {
                // The values are this call's: stored at the call, as if the helper's stores were made here.
                // (Two unknowns of no origin are two values: each gets its own.)
                OnFlagAssigned(new FlagAssignment(default, FlagKind.OnlyShared, null, second.OrFrom(invocation).StoredAt(invocation.Syntax), first.OrFrom(invocation.Syntax).StoredAt(invocation.Syntax), invocation.Syntax, invocation.Syntax));
            }

            internal override void OnFlagAssigned(in FlagAssignment assignment)
            {
                // Upstream's attr_filter: both bits set is "both sides", a valid filter (KVM0004 checks 0).
                if (assignment.IsFilterForm || !MayBothBeTrue(assignment.Assigned, assignment.Other))
                {
                    return;
                }

                if (!_found.TryGetValue(assignment.ReportNode, out var entry))
                {
                    entry = (assignment, new List<SyntaxNode>());
                    _found[assignment.ReportNode] = entry;
                    _order.Add(assignment.ReportNode);
                }

                foreach (var site in assignment.Other.TrueSites)
                {
                    if (!entry.OtherSites.Contains(site))
                    {
                        entry.OtherSites.Add(site);
                    }
                }
            }

            internal override void Complete()
            {
                foreach (var node in _order)
                {
                    var (assignment, otherSites) = _found[node];

                    // Additional locations: [0] the value this store writes, then where the other flag was made true.
                    var additional = new List<Location> { assignment.ValueNode.GetLocation() };
                    additional.AddRange(otherSites.Select(site => site.GetLocation()));
                    var properties = ImmutableDictionary<string, string?>.Empty.Add(FlagProperty, assignment.Flag.DisplayName());
                    // The port's own names: only_shared where it declares only_shared.
                    var set = SymbolRoles.FlagName(assignment.RangeType, assignment.Flag);
                    var other = SymbolRoles.FlagName(assignment.RangeType, assignment.Flag.Other());
                    _context.ReportDiagnostic(DiagnosticRecipe.Create(
                        Descriptors.BothFlagsSet,
                        assignment.ReportNode.GetLocation(),
                        additional,
                        properties,
                        set,
                        other,
                        assignment.Flag == FlagKind.OnlyPrivate ? set : other,
                        assignment.Flag == FlagKind.OnlyShared ? set : other));
                }
            }
        }
    }
}
