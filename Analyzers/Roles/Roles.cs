using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// Answers "does this symbol play a KVM role?" for one compilation and one set of
    /// .editorconfig names. Thread-safe; answers about types are cached.
    /// </summary>
    internal sealed class Roles
    {
        private readonly RoleContext _context;
        private readonly ConcurrentDictionary<ITypeSymbol, bool> _isGfnRange =
            new ConcurrentDictionary<ITypeSymbol, bool>(SymbolEqualityComparer.Default);

        private readonly ConcurrentDictionary<ISymbol, bool> _isMmuLock =
            new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);

        // Made once: a method group or a lambda over `this` passed to GetOrAdd is a new delegate
        // on every call, and these are asked for every operation the dataflow meets.
        private readonly System.Func<ITypeSymbol, bool> _computeIsGfnRangeType;
        private readonly System.Func<ISymbol, bool> _computeIsMmuLockMember;

        internal Roles(RoleContext context, RoleOptions options)
        {
            _context = context;
            Options = options;
            Summaries = new Flow.MethodSummaries(this);
            _computeIsGfnRangeType = ComputeIsGfnRangeType;
            _computeIsMmuLockMember = ComputeIsMmuLockMember;
        }

        internal RoleOptions Options { get; }

        internal RoleContext Context => _context;

        /// <summary>Summaries of this compilation's methods under these role names (filled on demand).</summary>
        internal Flow.MethodSummaries Summaries { get; }

        /// <summary>True when the symbol carries an attribute of that name, from any namespace.</summary>
        internal static bool HasAttribute(ISymbol symbol, string attributeName) => FindAttribute(symbol, attributeName) is not null;

        internal static AttributeData? FindAttribute(ISymbol symbol, string attributeName)
        {
            foreach (var attribute in symbol.GetAttributes())
            {
                if (attribute.AttributeClass?.Name == attributeName)
                {
                    return attribute;
                }
            }

            return null;
        }

        /// <summary>
        /// An HVA-based path: a kernel name (__kvm_handle_hva_range, kvm_mmu_notifier_*, ...), a
        /// parameter of an HVA range type, [HvaPath], or a name from gfnguard.hva_path_methods.
        /// </summary>
        internal bool IsHvaPathMethod(ISymbol? symbol)
        {
            if (symbol is not IMethodSymbol method)
            {
                return false;
            }

            if (KnownNames.HvaPathMethods.Contains(method.Name)
                || method.Name.StartsWith(KnownNames.HvaPathMethodPrefix, System.StringComparison.Ordinal)
                || RoleOptions.Matches(Options.HvaPathMethods, method))
            {
                return true;
            }

            foreach (var parameter in method.Parameters)
            {
                var type = parameter.Type is IPointerTypeSymbol pointer ? pointer.PointedAtType : parameter.Type;
                if (KnownNames.HvaRangeTypes.Contains(type.Name))
                {
                    return true;
                }
            }

            // Last: reading attributes is the one check here that may bind something.
            return HasAttribute(method, KnownNames.HvaPathAttribute);
        }

        /// <summary>kvm->mmu_lock: a field or property named mmu_lock or MmuLock, marked [MmuLock], or configured.</summary>
        internal bool IsMmuLockMember(ISymbol? member)
        {
            if (member is not (IFieldSymbol or IPropertySymbol))
            {
                return false;
            }

            return _isMmuLock.GetOrAdd(member, _computeIsMmuLockMember);
        }

        private bool ComputeIsMmuLockMember(ISymbol member) =>
            KnownNames.MmuLockMembers.Contains(member.Name)
            || HasAttribute(member, KnownNames.MmuLockAttribute)
            || RoleOptions.Matches(Options.MmuLockMembers, member);

        /// <summary>A reclaim by itself: a kernel name, [ReclaimsGuestMemory], or a name from gfnguard.reclaim_methods.</summary>
        internal bool IsDirectReclaim(IMethodSymbol method) =>
            KnownNames.ReclaimMethods.Contains(method.Name)
            || HasAttribute(method, KnownNames.ReclaimsGuestMemoryAttribute)
            || RoleOptions.Matches(Options.ReclaimMethods, method);

        /// <summary>
        /// True for struct kvm_gfn_range: the runtime's type, a type named kvm_gfn_range or
        /// KvmGfnRange, a type marked [GfnRange], or a type named in gfnguard.gfn_range_types.
        /// </summary>
        internal bool IsGfnRangeType(ITypeSymbol? type)
        {
            if (type is null || type.TypeKind == TypeKind.Error)
            {
                return false;
            }

            // Nullable<T> of a struct range, and the original definition of a generic, are the range too.
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            {
                type = nullable.TypeArguments[0];
            }

            return _isGfnRange.GetOrAdd(type.OriginalDefinition, _computeIsGfnRangeType);
        }

        private bool ComputeIsGfnRangeType(ITypeSymbol type)
        {
            if (type is not INamedTypeSymbol named)
            {
                return false;
            }

            if (SymbolEqualityComparer.Default.Equals(named, _context.RuntimeGfnRange)
                || KnownNames.GfnRangeTypes.Contains(named.Name))
            {
                return true;
            }

            foreach (var attribute in named.GetAttributes())
            {
                if (attribute.AttributeClass?.Name == KnownNames.GfnRangeAttribute)
                {
                    return true;
                }
            }

            if (!Options.GfnRangeTypes.IsEmpty)
            {
                return Options.GfnRangeTypes.Contains(named.Name)
                    || Options.GfnRangeTypes.Contains(named.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat));
            }

            return false;
        }

        /// <summary>
        /// True when <paramref name="member"/> is a gfn range's only_private or only_shared:
        /// a bool field or property with one of the kernel's or the runtime's names.
        /// </summary>
        internal bool TryGetFlag(ISymbol? member, out FlagKind flag)
        {
            flag = default;
            ITypeSymbol? memberType = member switch
            {
                IFieldSymbol field => field.Type,
                IPropertySymbol property => property.Type,
                _ => null,
            };

            if (memberType?.SpecialType != SpecialType.System_Boolean || member!.IsStatic)
            {
                return false;
            }

            if (!TryGetFlagName(member.Name, out flag))
            {
                return false;
            }

            return IsGfnRangeType(member.ContainingType);
        }

        /// <summary>Maps a member name to its flag, without looking at the containing type.</summary>
        internal static bool TryGetFlagName(string name, out FlagKind flag)
        {
            if (KnownNames.OnlyPrivateMembers.Contains(name))
            {
                flag = FlagKind.OnlyPrivate;
                return true;
            }

            if (KnownNames.OnlySharedMembers.Contains(name))
            {
                flag = FlagKind.OnlyShared;
                return true;
            }

            flag = default;
            return false;
        }

        /// <summary>
        /// Maps a constructor parameter to the flag it initializes: a positional record's
        /// parameter carries the property's name; a hand-written constructor's parameter is
        /// matched ignoring case and underscores (onlyPrivate, only_private, OnlyPrivate).
        /// </summary>
        internal static bool TryGetFlagParameter(IParameterSymbol parameter, out FlagKind flag)
        {
            flag = default;
            if (parameter.Type.SpecialType != SpecialType.System_Boolean)
            {
                return false;
            }

            var normalized = parameter.Name.Replace("_", string.Empty).ToUpperInvariant();
            switch (normalized)
            {
                case "ONLYPRIVATE":
                    flag = FlagKind.OnlyPrivate;
                    return true;
                case "ONLYSHARED":
                    flag = FlagKind.OnlyShared;
                    return true;
                default:
                    return false;
            }
        }
    }
}
