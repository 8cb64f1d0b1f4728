using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What a static readonly range of a struct type holds: <c>static readonly kvm_gfn_range
    /// SharedTemplate = new() { only_shared = true };</c> read as <c>SharedTemplate with { start =
    /// s }</c>. Nothing can change it after its type is initialised (a readonly struct is a value:
    /// its members are only ever set in its initializer or a static constructor), so it is a value
    /// the method can see (SPEC section 2), wherever it is read. A getter-only auto-property is the
    /// same. A type with a static constructor of its own, which may assign it, is left unknown.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        private readonly ConcurrentDictionary<ISymbol, SummaryBox<FlagEffect>> _staticRanges =
            new ConcurrentDictionary<ISymbol, SummaryBox<FlagEffect>>(SymbolEqualityComparer.Default);

        private System.Func<ISymbol, SummaryBox<FlagEffect>>? _computeStaticRange;

        /// <summary>The flags (or filter bits) a static readonly range holds, or null when it is none or may change.</summary>
        internal FlagEffect? StaticRangeOf(ISymbol member)
        {
            if (!member.IsStatic || member is not (IFieldSymbol { IsReadOnly: true, Type: { IsValueType: true } } or IPropertySymbol { SetMethod: null, Type: { IsValueType: true } })
                || !_roles.IsGfnRangeType(member is IFieldSymbol field ? field.Type : ((IPropertySymbol)member).Type)
                || member.DeclaringSyntaxReferences.Length != 1)
            {
                return null;
            }

            member = member.OriginalDefinition;
            if (_staticRanges.TryGetValue(member, out var known))
            {
                return known.Value;
            }

            return ComputedOnce(member, t_symbolsInProgress ??= new HashSet<ISymbol>(SymbolEqualityComparer.Default), _staticRanges, _computeStaticRange ??= m => new SummaryBox<FlagEffect>(ComputeStaticRange(m)));
        }

        private FlagEffect? ComputeStaticRange(ISymbol member)
        {
            foreach (var constructor in member.ContainingType.StaticConstructors)
            {
                if (!constructor.IsImplicitlyDeclared)
                {
                    return null;
                }
            }

            // A field, or an auto-property (no accessor with a body; a computed one is a getter call).
            var syntax = member.DeclaringSyntaxReferences[0].GetSyntax();
            EqualsValueClauseSyntax? initializer;
            switch (syntax)
            {
                case VariableDeclaratorSyntax variable:
                    initializer = variable.Initializer;
                    break;
                case PropertyDeclarationSyntax { AccessorList: { } accessors } property when accessors.Accessors.All(accessor => accessor.Body is null && accessor.ExpressionBody is null):
                    initializer = property.Initializer;
                    break;
                default:
                    return null;
            }

            if (initializer is null)
            {
                // default(kvm_gfn_range): both flags (or the filter) zero.
                return new FlagEffect(BoolValue.False, BoolValue.False);
            }

            var compilation = _context.Compilation;
            if (!compilation.ContainsSyntaxTree(initializer.SyntaxTree))
            {
                return null;
            }

#pragma warning disable RS1030 // A read of a template needs its initializer, which lives in the type's tree; each is bound once per compilation and cached.
            var model = compilation.GetSemanticModel(initializer.SyntaxTree);
#pragma warning restore RS1030
            var touched = new TouchedFlags();
            if (model.GetOperation(initializer) is not ISymbolInitializerOperation operation
                || MethodBody.SharedGraph(operation) is not { } graph
                || ForwardDataflow.Run(graph, FlowState.Empty, new OperationTransfer(_roles, this, touched, FlowFacts.Flags), CancellationToken.None) is not { } inputs)
            {
                return null;
            }

            // Read wherever it is, it holds the same on every path: one value per flag.
            var effect = EffectLeftIn(FlowLocation.ForSymbol(member), touched, ForwardDataflow.ExitState(graph, inputs), ImmutableArray<IParameterSymbol>.Empty);
            return effect.IsNone ? null : new FlagEffect(effect.OnlyPrivate, effect.OnlyShared);
        }
    }
}
