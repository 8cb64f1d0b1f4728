using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A fresh array of ranges (<c>var ranges = new kvm_gfn_range[n];</c>, or a <c>Span&lt;T&gt;</c>
    /// made from one) holds zeroed elements:
    /// both flags false, filter 0. An element's flag read at an index the analysis cannot tell
    /// apart (<c>ranges[i]</c> in a loop) is still false when nothing in the method can have set
    /// that flag of any element: the local only ever holds fresh arrays, is used only to reach its
    /// elements (or its Length), and every store to that flag of an element stores false. Whole
    /// elements stored, handed <c>out</c>, or to a helper that sets their flags, or the array
    /// handed anywhere, may set it; so may a store of anything but false.
    /// </summary>
    internal static class ZeroedArrays
    {
        /// <summary>The element type of an array, or of a <c>Span&lt;T&gt;</c> (made from a fresh array); null for anything else.</summary>
        internal static ITypeSymbol? ElementType(ITypeSymbol type) => type switch
        {
            IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
            INamedTypeSymbol { Name: "Span", Arity: 1, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } span => span.TypeArguments[0],
            _ => null,
        };

        /// <summary>Which flags no element of <paramref name="array"/> can have set, in the method body <paramref name="root"/>.</summary>
        internal static (bool OnlyPrivate, bool OnlyShared) FlagsNeverSet(IOperation root, ILocalSymbol array, SymbolRoles roles, MethodSummaries summaries)
        {
            var (onlyPrivate, onlyShared) = (true, true);
            var fresh = false;
            foreach (var operation in root.Descendants())
            {
                if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, array))
                {
                    if (declarator.Initializer is { } initializer && !IsFreshArray(initializer.Value))
                    {
                        return (false, false);
                    }

                    fresh |= declarator.Initializer is not null;
                    continue;
                }

                if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, array))
                {
                    continue;
                }

                switch (reference.Parent)
                {
                    case ISimpleAssignmentOperation assignment when assignment.Target == reference && IsFreshArray(assignment.Value):
                        fresh = true;
                        break;
                    case IPropertyReferenceOperation { Property.Name: "Length" }:
                        break;
                    case IArrayElementReferenceOperation or IPropertyReferenceOperation when ArrayElements.ElementOf(reference.Parent).Collection == reference:
                        var (setsPrivate, setsShared) = FlagsAnElementUseMaySet(reference.Parent, roles, summaries);
                        onlyPrivate &= !setsPrivate;
                        onlyShared &= !setsShared;
                        break;
                    default:
                        return (false, false);
                }

                if (!onlyPrivate && !onlyShared)
                {
                    return (false, false);
                }
            }

            return fresh ? (onlyPrivate, onlyShared) : (false, false);
        }

        private static bool IsFreshArray(IOperation value)
        {
            // `Span<kvm_gfn_range> ranges = new kvm_gfn_range[n];` converts the fresh array.
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            return value is IArrayCreationOperation { Initializer: null, DimensionSizes.Length: 1 };
        }

        /// <summary>Which flags one use of an element may set: a store to the flag (false aside), or a write of the whole element.</summary>
        private static (bool OnlyPrivate, bool OnlyShared) FlagsAnElementUseMaySet(IOperation element, SymbolRoles roles, MethodSummaries summaries)
        {
            switch (element.Parent)
            {
                case IMemberReferenceOperation member when member.Instance == element:
                    if (!VariableWrites.IsWritten(member))
                    {
                        return (false, false);
                    }

                    if (roles.TryGetFlag(member.Member, out var flag))
                    {
                        var storesFalse = member.Parent is ISimpleAssignmentOperation { Value.ConstantValue: { HasValue: true, Value: false } };
                        return storesFalse ? (false, false) : (flag == FlagKind.OnlyPrivate, flag == FlagKind.OnlyShared);
                    }

                    // A filter store may set either bit; another member's store sets neither.
                    return roles.IsFilterMember(member.Member) ? (true, true) : (false, false);

                case IArgumentOperation { Parameter: { RefKind: RefKind.Ref } parameter, Parent: IInvocationOperation call }:
                    // A call the compilation cannot see into does not change a range's flags (SPEC section 2); a helper's summary may.
                    return summaries.FlagEffectsOf(call.TargetMethod)?.ForParameter(parameter.Ordinal) is null or { IsNone: true } ? (false, false) : (true, true);

                case IInvocationOperation call when call.Instance == element:
                    return summaries.FlagEffectsOf(call.TargetMethod)?.ForThis is null or { IsNone: true } ? (false, false) : (true, true);

                default:
                    return VariableWrites.IsWritten(element) ? (true, true) : (false, false);
            }
        }
    }
}
