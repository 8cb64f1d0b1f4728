using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What a range type's field and property initializers leave in its flags (SPEC section 2: a
    /// flag is followed through constructors): <c>struct kvm_gfn_range(bool priv) { bool
    /// only_private = priv; bool only_shared = !priv; }</c>, or a class whose <c>OnlyShared = true</c>
    /// is its default. A creation applies it before the constructor's body, with its arguments.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        // A flag initializer that creates its own type again, or a template initialised from
        // itself (both contrived), must not recurse forever.
        [ThreadStatic]
        private static HashSet<ISymbol>? t_symbolsInProgress;

        private readonly ConcurrentDictionary<INamedTypeSymbol, SummaryBox<FlagEffect>> _initializedFlags =
            new ConcurrentDictionary<INamedTypeSymbol, SummaryBox<FlagEffect>>(SymbolEqualityComparer.Default);

        private System.Func<INamedTypeSymbol, SummaryBox<FlagEffect>>? _computeInitializedFlags;

        /// <summary>
        /// Does a creation through <paramref name="constructor"/> run its type's instance initializers?
        /// A primary constructor and a class's implicit one do, and so does one that calls no
        /// <c>this(...)</c>; a struct's implicit parameterless one zeroes the struct and runs none.
        /// </summary>
        internal static bool RunsInitializers(IMethodSymbol constructor)
        {
            if (constructor.IsImplicitlyDeclared)
            {
                return !constructor.ContainingType.IsValueType;
            }

            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                switch (reference.GetSyntax())
                {
                    case TypeDeclarationSyntax:
                        return true;
                    case ConstructorDeclarationSyntax declaration:
                        return declaration.Initializer is not { ThisOrBaseKeyword.RawKind: (int)SyntaxKind.ThisKeyword };
                }
            }

            return false;
        }

        /// <summary>
        /// The flags <paramref name="type"/>'s own instance initializers set on <c>this</c> (null for
        /// one none sets), each a value a creation binds to its arguments; null when none sets a flag.
        /// </summary>
        internal FlagEffect? InitializedFlagsOf(INamedTypeSymbol type)
        {
            type = type.OriginalDefinition;
            if (_initializedFlags.TryGetValue(type, out var known))
            {
                return known.Value;
            }

            return ComputedOnce(type, t_symbolsInProgress ??= new HashSet<ISymbol>(SymbolEqualityComparer.Default), _initializedFlags, _computeInitializedFlags ??= t => new SummaryBox<FlagEffect>(ComputeInitializedFlags(t)));
        }

        /// <summary>
        /// The cached summary of a symbol that is no method (a type's initializers, a template's),
        /// computed at the first ask; one asked again while it is being computed on this thread (a
        /// type whose initializer makes the type again) is null there, and not cached.
        /// </summary>
        private static FlagEffect? ComputedOnce<TSymbol>(TSymbol symbol, HashSet<ISymbol> inProgress, ConcurrentDictionary<TSymbol, SummaryBox<FlagEffect>> cache, System.Func<TSymbol, SummaryBox<FlagEffect>> compute)
            where TSymbol : ISymbol
        {
            if (!inProgress.Add(symbol))
            {
                return null;
            }

            try
            {
                return cache.GetOrAdd(symbol, compute).Value;
            }
            finally
            {
                inProgress.Remove(symbol);
            }
        }

        private FlagEffect? ComputeInitializedFlags(INamedTypeSymbol type)
        {
            BoolValue? onlyPrivate = null;
            BoolValue? onlyShared = null;
            FlagEffect? single = null;
            var contributions = 0;
            var thisPlace = new FlowLocation(FlowLocation.ThisRoot, string.Empty);
            foreach (var initializer in FlagInitializers(type))
            {
                var touched = new TouchedFlags();
                if (MethodBody.SharedGraph(initializer) is not { } graph
                    || ForwardDataflow.Run(graph, FromTheCaller(FlowState.Empty, thisPlace), new OperationTransfer(_roles, this, touched, FlowFacts.Flags), CancellationToken.None) is not { } inputs)
                {
                    continue;
                }

                var privateTouched = touched.Contains(thisPlace, FlagKind.OnlyPrivate);
                var sharedTouched = touched.Contains(thisPlace, FlagKind.OnlyShared);
                if (!privateTouched && !sharedTouched)
                {
                    continue;
                }

                FlagEffect effect;
                if (ForwardDataflow.ExitState(graph, inputs) is { } exitPaths)
                {
                    var paths = new PathFlags();
                    foreach (var path in exitPaths.Paths)
                    {
                        paths.Add(path.Get(thisPlace.Flag(FlagKind.OnlyPrivate)).WithoutSites(), path.Get(thisPlace.Flag(FlagKind.OnlyShared)).WithoutSites(), default);
                    }

                    effect = paths.ToEffect(privateTouched, sharedTouched);
                }
                else
                {
                    effect = new FlagEffect(privateTouched ? BoolValue.Unknown : null, sharedTouched ? BoolValue.Unknown : null);
                }

                // In declaration order, as they run: a later one that sets a flag again wins.
                onlyPrivate = effect.OnlyPrivate ?? onlyPrivate;
                onlyShared = effect.OnlyShared ?? onlyShared;
                single = effect;
                contributions++;
            }

            // One initializer (a filter's, or one flag's) keeps its paths apart; several are joined per flag.
            return contributions switch
            {
                0 => null,
                1 => single,
                _ => new FlagEffect(onlyPrivate, onlyShared),
            };
        }

        /// <summary>The initializers of <paramref name="type"/>'s instance flags and filter, in declaration order.</summary>
        private IEnumerable<Microsoft.CodeAnalysis.Operations.ISymbolInitializerOperation> FlagInitializers(INamedTypeSymbol type)
        {
            var compilation = _context.Compilation;
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is not TypeDeclarationSyntax declaration || !compilation.ContainsSyntaxTree(declaration.SyntaxTree))
                {
                    continue;
                }

                SemanticModel? model = null;
                foreach (var member in declaration.Members)
                {
                    var initializers = member switch
                    {
                        FieldDeclarationSyntax field when !IsStaticOrConst(field.Modifiers) => InitializedVariables(field),
                        PropertyDeclarationSyntax { Initializer: { } value } property when !IsStaticOrConst(property.Modifiers) => new[] { (SyntaxNode)property, value },
                        _ => null,
                    };

                    for (var i = 0; initializers is not null && i < initializers.Length; i += 2)
                    {
#pragma warning disable RS1030 // A creation needs its type's initializers, which live in the type's tree; each type is bound once per compilation and cached.
                        model ??= compilation.GetSemanticModel(declaration.SyntaxTree);
#pragma warning restore RS1030
                        var symbol = model.GetDeclaredSymbol(initializers[i]);
                        if ((_roles.TryGetFlag(symbol, out _) || _roles.IsFilterMember(symbol))
                            && model.GetOperation(initializers[i + 1]) is Microsoft.CodeAnalysis.Operations.ISymbolInitializerOperation operation)
                        {
                            yield return operation;
                        }
                    }
                }
            }
        }

        /// <summary>Each initialized variable of a field declaration and its <c>= value</c>, in pairs.</summary>
        private static SyntaxNode[]? InitializedVariables(FieldDeclarationSyntax field)
        {
            List<SyntaxNode>? pairs = null;
            foreach (var variable in field.Declaration.Variables)
            {
                if (variable.Initializer is { } value)
                {
                    (pairs ??= new List<SyntaxNode>()).Add(variable);
                    pairs.Add(value);
                }
            }

            return pairs?.ToArray();
        }

        private static bool IsStaticOrConst(SyntaxTokenList modifiers) => modifiers.Any(SyntaxKind.StaticKeyword) || modifiers.Any(SyntaxKind.ConstKeyword);
    }
}
