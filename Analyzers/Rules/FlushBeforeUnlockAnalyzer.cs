using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// KVM0006: on every path from a zap whose result says "flush needed" (kept in a bool local,
    /// or a field of a local struct, it was stored or or-ed into) to the release of mmu_lock, a
    /// TLB flush runs, unless the result leaves the method (returned, or stored through an
    /// out/ref parameter or into a field): the caller then owns it, and the method counts as a zap there.
    /// A zap whose result is thrown away owes its flush too; since nothing can test it, it is
    /// reported only where no path from it ran a call that may flush before the release.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FlushBeforeUnlockAnalyzer : CodeBlockRule
    {
        /// <summary>Diagnostic property: the bool that holds the zap's result (what the fix tests).</summary>
        internal const string FlagProperty = "Flag";

        /// <summary>Diagnostic property: every zap reported (the additional locations) discards its result (the fix tests the call itself).</summary>
        internal const string DiscardedProperty = "Discarded";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.FlushBeforeUnlock);

        private protected override bool MayApplyTo(Gate.SyntaxGate gate) => gate.AnyTreeMayLock;

        private protected override void Analyze(MethodBody body, RoleContext roleContext) => AnalyzeBlock(body, roleContext);

        internal static void AnalyzeBlock(MethodBody body, RoleContext roleContext)
        {
            if (roleContext.Gate.MayZapThenUnlock(body.Declaration))
            {
                AnalyzeFlow(body, MethodFlowRunner.RolesFor(body, roleContext));
            }
        }

        private static void AnalyzeFlow(MethodBody body, RoleView roles)
        {
            var (entry, notHeld, _) = MethodFlowRunner.LockEntry(body);
            MethodFlowRunner.Analyze(
                body,
                roles,
                FlowFacts.Lock | FlowFacts.Flush,
                root => Zaps(root, roles) && roles.Summaries.MayTouchTheLock(root),
                entry,
                notHeld,
                _ => new Reporter(body, ReturnedVariables(body.Root()!)));
        }

        /// <summary>The cheap test before a graph is built: does the body call a zap (or a helper that returns one's result)?</summary>
        private static bool Zaps(IOperation root, RoleView roles)
        {
            foreach (var operation in root.Descendants())
            {
                if (operation is IInvocationOperation invocation && roles.Summaries.IsZap(invocation))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The locals and parameters a return hands back (itself or a member of it): a zap result kept there leaves the method.</summary>
        private static HashSet<ISymbol> ReturnedVariables(IOperation root)
        {
            var result = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var operation in root.Descendants())
            {
                if (operation is not IReturnOperation { ReturnedValue: { } value })
                {
                    continue;
                }

                foreach (var part in value.DescendantsAndSelf())
                {
                    switch (part)
                    {
                        case ILocalReferenceOperation local:
                            result.Add(local.Local);
                            break;
                        case IParameterReferenceOperation parameter:
                            result.Add(parameter.Parameter);
                            break;
                    }
                }
            }

            return result;
        }

        private sealed class Reporter : FlowObserver
        {
            private readonly MethodBody _body;
            private readonly HashSet<ISymbol> _returned;
            private readonly Dictionary<SyntaxNode, Finding> _found = new Dictionary<SyntaxNode, Finding>();
            private readonly List<SyntaxNode> _order = new List<SyntaxNode>();

            // The zaps whose discarded result some path flushed for before a release (see OnLockCall).
            private readonly HashSet<SyntaxNode> _flushedFor = new HashSet<SyntaxNode>();

            internal Reporter(MethodBody body, HashSet<ISymbol> returned)
            {
                _body = body;
                _returned = returned;
            }

            internal override bool ObservesLockEvents => true;

            internal override void OnLockCall(IOperation call, LockEffect effect, FlowLocation lockPlace, bool ownerKnown, FlowState before)
            {
                if (effect != LockEffect.Release)
                {
                    return;
                }

                // A zap whose result nothing keeps cannot be tested, so any flush that may have run
                // after it, on any path to a release, may be the one meant for it: it is reported only
                // where none did (Complete), not on the path that skipped a conditional flush.
                foreach (var (flushed, _) in before.PlacesWhere(PlaceFact.FlushMayHaveRun))
                {
                    _flushedFor.Add(((IOperation)flushed.Root).Syntax);
                }

                foreach (var (holder, owed) in before.PlacesWhere(PlaceFact.FlushOwed))
                {
                    var discarded = holder.Root is IOperation;
                    if (!discarded && (!before.Get(holder).MayBeTrueOrUnknown || LeavesTheMethod(holder) || HolderName(holder) is null))
                    {
                        continue;
                    }

                    // An implicit release (a lock statement's Monitor.Exit, a using's Dispose) is the statement's.
                    var at = call.IsImplicit
                        ? call.Syntax.FirstAncestorOrSelf<SyntaxNode>(node => node is LockStatementSyntax or UsingStatementSyntax or LocalDeclarationStatementSyntax) ?? call.Syntax
                        : call.Syntax;
                    if (!_found.TryGetValue(at, out var finding))
                    {
                        _found[at] = finding = new Finding();
                        _order.Add(at);
                    }

                    if (discarded)
                    {
                        finding.Discarded.UnionWith(owed.TrueSites);
                    }
                    else
                    {
                        finding.Holders.Add(HolderName(holder)!);
                        finding.Kept.UnionWith(owed.TrueSites);
                    }
                }
            }

            /// <summary>What a release owes: the zaps whose results are kept (and the places that keep them), and those discarded.</summary>
            private sealed class Finding
            {
                internal List<string> Holders { get; } = new List<string>();

                internal HashSet<SyntaxNode> Kept { get; } = new HashSet<SyntaxNode>();

                internal HashSet<SyntaxNode> Discarded { get; } = new HashSet<SyntaxNode>();
            }

            /// <summary>A result kept in an out/ref parameter, in a field (of <c>this</c> or another object) or returned is the caller's to flush.</summary>
            private bool LeavesTheMethod(FlowLocation holder)
            {
                switch (holder.Root)
                {
                    case ILocalSymbol local:
                        return _returned.Contains(local) || (holder.Path.Length > 0 && local.Type.IsReferenceType);
                    case IParameterSymbol parameter:
                        return parameter.RefKind is RefKind.Out or RefKind.Ref || _returned.Contains(parameter) || (holder.Path.Length > 0 && parameter.Type.IsReferenceType);
                    default:
                        return true;
                }
            }

            private static string? HolderName(FlowLocation holder) => holder.Root switch
            {
                ILocalSymbol local => holder.Path.Length == 0 ? local.Name : local.Name + "." + holder.Path,
                IParameterSymbol parameter => holder.Path.Length == 0 ? parameter.Name : parameter.Name + "." + holder.Path,
                _ => null,
            };

            internal override void Complete()
            {
                foreach (var at in _order)
                {
                    var finding = _found[at];
                    finding.Discarded.ExceptWith(_flushedFor);
                    var zaps = finding.Kept.Concat(finding.Discarded).OrderBy(zap => zap.SpanStart).ToList();
                    if (zaps.Count == 0)
                    {
                        continue;
                    }

                    var first = zaps[0];
                    var zapName = first is InvocationExpressionSyntax { Expression: var callee }
                        ? callee switch
                        {
                            MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                            SimpleNameSyntax simple => simple.Identifier.ValueText,
                            _ => callee.ToString(),
                        }
                        : "the zap";
                    var line = (first.GetLocation().GetLineSpan().StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture);
                    var holders = finding.Holders.Distinct().ToList();

                    // Fixable: one flag to test before the release, or zaps whose results are all
                    // discarded (the fix tests each call); two kinds need two flushes' worth of thought.
                    var properties = finding.Discarded.Count == 0 && holders.Count == 1 ? ImmutableDictionary<string, string?>.Empty.Add(FlagProperty, holders[0])
                        : holders.Count == 0 ? ImmutableDictionary<string, string?>.Empty.Add(DiscardedProperty, "true")
                        : ImmutableDictionary<string, string?>.Empty;
                    var keptIn = finding.Kept.Contains(first) && holders.Count > 0 ? $" (kept in '{holders[0]}')" : " (its result is discarded)";
                    _body.ReportDiagnostic(DiagnosticRecipe.Create(Descriptors.FlushBeforeUnlock, ReleaseLocation(at), zaps.Select(zap => zap.GetLocation()).ToList(), properties, zapName, line, keptIn));
                }
            }

            /// <summary>Where a release is reported: the call; for a <c>lock</c> or <c>using</c> statement its closing brace; for a <c>using</c> declaration the end of its block.</summary>
            internal static Location ReleaseLocation(SyntaxNode release) => release switch
            {
                LockStatementSyntax { Statement: BlockSyntax block } => block.CloseBraceToken.GetLocation(),
                UsingStatementSyntax { Statement: BlockSyntax block } => block.CloseBraceToken.GetLocation(),
                LocalDeclarationStatementSyntax { Parent: BlockSyntax block } => block.CloseBraceToken.GetLocation(),
                _ => release.GetLocation(),
            };
        }
    }
}
