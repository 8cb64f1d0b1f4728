using System;
using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// Answers "what role does this symbol play?" for one compilation and one set of
    /// .editorconfig names, from the <see cref="RoleCatalog"/>. The rules, the flow analysis,
    /// the summaries and the code fixes all ask it. Thread-safe; answers about types and lock
    /// members are cached.
    /// </summary>
    internal sealed class SymbolRoles
    {
        private readonly Lazy<INamedTypeSymbol?> _runtimeGfnRange;
        private readonly ConcurrentDictionary<ITypeSymbol, bool> _isGfnRange =
            new ConcurrentDictionary<ITypeSymbol, bool>(SymbolEqualityComparer.Default);

        private readonly ConcurrentDictionary<ISymbol, bool> _isMmuLock =
            new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);

        // Made once: a method group or a lambda over `this` passed to GetOrAdd is a new delegate
        // on every call, and these are asked for every operation the dataflow meets.
        private readonly Func<ITypeSymbol, bool> _computeIsGfnRangeType;
        private readonly Func<ISymbol, bool> _computeIsMmuLockMember;
        private readonly Func<ITypeSymbol, bool> _computeHasFilterForm;
        private readonly ConcurrentDictionary<ITypeSymbol, bool> _hasFilterForm =
            new ConcurrentDictionary<ITypeSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly Func<ITypeSymbol, bool> _computeIsFilterEnum = ComputeIsFilterEnum;
        private readonly ConcurrentDictionary<ITypeSymbol, bool> _isFilterEnum =
            new ConcurrentDictionary<ITypeSymbol, bool>(SymbolEqualityComparer.Default);

        internal SymbolRoles(Compilation compilation, RoleOptions options)
            : this(new Lazy<INamedTypeSymbol?>(() => compilation.GetTypeByMetadataName(RoleCatalog.RuntimeGfnRangeType)), options)
        {
        }

        internal SymbolRoles(Lazy<INamedTypeSymbol?> runtimeGfnRange, RoleOptions options)
        {
            _runtimeGfnRange = runtimeGfnRange;
            Options = options;
            _computeIsGfnRangeType = ComputeIsGfnRangeType;
            _computeIsMmuLockMember = ComputeIsMmuLockMember;
            _computeHasFilterForm = type => FilterMember(type) is not null;
        }

        internal RoleOptions Options { get; }

        /// <summary><c>GfnGuard.Runtime.KvmGfnRange</c>, when the compilation references the runtime (looked up at the first question).</summary>
        internal INamedTypeSymbol? RuntimeGfnRange => _runtimeGfnRange.Value;

        /// <summary>The runtime's <c>KvmGfnRange.WithFilter</c> (see <see cref="RoleCatalog.RuntimeRangeFactoryMethod"/>).</summary>
        internal bool IsRuntimeRangeFactory(IMethodSymbol method) =>
            method.Name == RoleCatalog.RuntimeRangeFactoryMethod && method.IsStatic && RuntimeGfnRange is { } runtime
            && SymbolEqualityComparer.Default.Equals(method.ContainingType, runtime);

        /// <summary>The symbol plays <paramref name="role"/> by name, by attribute, or by a configured name.</summary>
        internal bool Plays(RoleNames role, ISymbol symbol) =>
            role.IsNamed(symbol.Name) || Options.Adds(role, symbol) || role.IsMarked(symbol);

        /// <summary>
        /// An HVA-based path by its signature: a kernel name (__kvm_handle_hva_range,
        /// kvm_mmu_notifier_*, ...), a parameter of an HVA range type, [HvaPath], or a name from
        /// gfnguard.hva_path_methods. A method can also be one by what it does (it walks the
        /// memslots by HVA): see <see cref="WalksMemslotsByHva"/>.
        /// </summary>
        internal bool IsHvaPathMethod(ISymbol? symbol)
        {
            if (symbol is not IMethodSymbol method)
            {
                return false;
            }

            if (RoleCatalog.HvaPathMethods.IsNamed(method.Name) || Options.Adds(RoleCatalog.HvaPathMethods, method))
            {
                return true;
            }

            foreach (var parameter in method.Parameters)
            {
                var type = parameter.Type is IPointerTypeSymbol pointer ? pointer.PointedAtType : parameter.Type;
                if (RoleCatalog.HvaRangeParameterTypes.Contains(type.Name))
                {
                    return true;
                }
            }

            // Last: reading attributes is the one check here that may bind something.
            return RoleCatalog.HvaPathMethods.IsMarked(method);
        }

        /// <summary>
        /// A call that walks the memslots by HVA: <c>kvm_for_each_memslot_in_hva_range</c>,
        /// <c>hva_to_gfn_memslot</c>, or the runtime's <c>KvmMemslots.FindByHvaRange</c>. A
        /// method that makes one is an HVA-based path (SPEC section 3).
        /// </summary>
        internal static bool WalksMemslotsByHva(IMethodSymbol method) =>
            RoleCatalog.HvaWalkMethods.Contains(method.Name)
            || (method.Name == RoleCatalog.RuntimeHvaWalkMethod
                && method.ContainingType?.ToDisplayString() == RoleCatalog.RuntimeHvaWalkType);

        /// <summary>A guest_memfd path: a kernel name (kvm_gmem_*), [GmemPath], or a name from gfnguard.gmem_path_methods.</summary>
        internal bool IsGmemPathMethod(ISymbol? symbol) => symbol is IMethodSymbol method && Plays(RoleCatalog.GmemPathMethods, method);

        /// <summary>kvm->mmu_lock: a field or property named mmu_lock or MmuLock, marked [MmuLock], or configured.</summary>
        internal bool IsMmuLockMember(ISymbol? member)
        {
            if (member is not (IFieldSymbol or IPropertySymbol))
            {
                return false;
            }

            return _isMmuLock.GetOrAdd(member, _computeIsMmuLockMember);
        }

        private bool ComputeIsMmuLockMember(ISymbol member) => Plays(RoleCatalog.MmuLockMembers, member);

        /// <summary>True when the operation denotes kvm->mmu_lock itself (through conversions, parentheses and <c>&amp;</c>).</summary>
        internal bool IsLockMemberReference(IOperation operation) =>
            LockOperations.Unwrap(operation) is IMemberReferenceOperation member && IsMmuLockMember(member.Member);

        /// <summary>A reclaim by itself: a kernel name, [ReclaimsGuestMemory], or a name from gfnguard.reclaim_methods.</summary>
        internal bool IsDirectReclaim(IMethodSymbol method) => Plays(RoleCatalog.ReclaimMethods, method);

        /// <summary>A zap whose result says whether a TLB flush is needed.</summary>
        internal bool IsDirectZap(IMethodSymbol method) => Plays(RoleCatalog.ZapMethods, method);

        /// <summary>A remote TLB flush.</summary>
        internal bool IsDirectTlbFlush(IMethodSymbol method) => Plays(RoleCatalog.TlbFlushMethods, method);

        /// <summary>
        /// A delegate named as a TLB flush (an ops table's <c>kvm_flush_remote_tlbs</c> field, a
        /// parameter, a name from gfnguard.tlb_flush_methods): invoking it flushes.
        /// </summary>
        internal bool IsTlbFlushDelegate(ISymbol holder) => Plays(RoleCatalog.TlbFlushMethods, holder);

        /// <summary>[RequiresMmuLock] on the method: the lock is held from entry; the attribute is where it was taken.</summary>
        internal static AttributeData? RequiresLockAttribute(ISymbol method) => RoleCatalog.RequiresLockMethods.FindAttribute(method);

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

            if (RoleCatalog.GfnRangeTypes.Names.Contains(named.Name)
                || SymbolEqualityComparer.Default.Equals(named, RuntimeGfnRange)
                || RoleCatalog.GfnRangeTypes.IsMarked(named))
            {
                return true;
            }

            var configured = Options.NamesFor(RoleCatalog.GfnRangeTypes);
            return !configured.IsEmpty
                && (configured.Contains(named.Name) || configured.Contains(named.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)));
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
            if (RoleCatalog.OnlyPrivateMembers.Contains(name))
            {
                flag = FlagKind.OnlyPrivate;
                return true;
            }

            if (RoleCatalog.OnlySharedMembers.Contains(name))
            {
                flag = FlagKind.OnlyShared;
                return true;
            }

            flag = default;
            return false;
        }

        /// <summary>
        /// True when <paramref name="member"/> is a gfn range's <c>attr_filter</c> (SPEC 3a): a field
        /// or property named attr_filter / AttrFilter, or marked [GfnRangeFilter], of an enum or
        /// integer type, on a gfn range type.
        /// </summary>
        internal bool IsFilterMember(ISymbol? member)
        {
            ITypeSymbol? memberType = member switch
            {
                IFieldSymbol field => field.Type,
                IPropertySymbol property => property.Type,
                _ => null,
            };

            if (memberType is null || member!.IsStatic || !IsFilterType(memberType)
                || !(RoleCatalog.GfnRangeFilterMembers.IsNamed(member.Name) || RoleCatalog.GfnRangeFilterMembers.IsMarked(member)))
            {
                return false;
            }

            return IsGfnRangeType(member.ContainingType);
        }

        /// <summary>A type a filter can have: an enum, or an integer.</summary>
        internal static bool IsFilterType(ITypeSymbol type) =>
            type.TypeKind == TypeKind.Enum
            || type.SpecialType is SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
                or SpecialType.System_Byte or SpecialType.System_UInt16 or SpecialType.System_Int16 or SpecialType.System_SByte;

        /// <summary>
        /// enum kvm_gfn_range_filter as a port declares it (SPEC 3a): by its kernel name, or any
        /// enum with a shared and a private member by the filter's names (<c>enum GfnFilter { Shared = 1, Private = 2 }</c>).
        /// Cached: asked at every store of an enum where flags are followed.
        /// </summary>
        internal bool IsFilterEnum(ITypeSymbol? type) =>
            type is { TypeKind: TypeKind.Enum } && _isFilterEnum.GetOrAdd(type.OriginalDefinition, _computeIsFilterEnum);

        private static bool ComputeIsFilterEnum(ITypeSymbol type) =>
            RoleCatalog.FilterEnumTypes.Contains(type.Name)
            || (FilterEnumMember(type, FlagKind.OnlyShared) is not null && FilterEnumMember(type, FlagKind.OnlyPrivate) is not null);

        /// <summary>An integer type, the other form a filter can have.</summary>
        internal static bool IsIntegerFilterType(ITypeSymbol? type) => type is { TypeKind: not TypeKind.Enum } && IsFilterType(type);

        /// <summary>The type of a filter member (an enum or an integer).</summary>
        internal static ITypeSymbol FilterType(ISymbol filter) => filter is IFieldSymbol field ? field.Type : ((IPropertySymbol)filter).Type;

        /// <summary>The filter enum's member for <paramref name="side"/> (KVM_FILTER_SHARED / Shared, ...), or null for an integer filter.</summary>
        internal static IFieldSymbol? FilterEnumMember(ITypeSymbol filterType, FlagKind side)
        {
            if (filterType.TypeKind != TypeKind.Enum)
            {
                return null;
            }

            foreach (var member in filterType.GetMembers())
            {
                if (member is IFieldSymbol { HasConstantValue: true } field && RoleCatalog.FilterNames(side).Contains(field.Name))
                {
                    return field;
                }
            }

            return null;
        }

        /// <summary>The range type carries upstream's attr_filter rather than the two bools (cached: asked at every flag store).</summary>
        internal bool HasFilterForm(ITypeSymbol? rangeType) =>
            rangeType is not null && _hasFilterForm.GetOrAdd(rangeType.OriginalDefinition, _computeHasFilterForm);

        /// <summary>The range type's attr_filter member, inherited too, or null: its form is then upstream's (SPEC 3a).</summary>
        internal ISymbol? FilterMember(ITypeSymbol? rangeType)
        {
            for (var type = rangeType; type is not null; type = type.BaseType)
            {
                foreach (var member in type.GetMembers())
                {
                    if (IsFilterMember(member))
                    {
                        return member;
                    }
                }
            }

            return null;
        }

        /// <summary>
        /// The name the port gives <paramref name="flag"/> on <paramref name="rangeType"/>
        /// (<c>only_shared</c> where it declares <c>only_shared</c>), for messages; the runtime's
        /// spelling when the type is not known or declares neither.
        /// </summary>
        internal static string FlagName(ITypeSymbol? rangeType, FlagKind flag) => FlagMember(rangeType, flag)?.Name ?? flag.DisplayName();

        /// <summary>The range type's bool member for <paramref name="flag"/> (the kernel's or the runtime's spelling, inherited too), or null.</summary>
        internal static ISymbol? FlagMember(ITypeSymbol? rangeType, FlagKind flag)
        {
            var names = flag == FlagKind.OnlyPrivate ? RoleCatalog.OnlyPrivateMembers : RoleCatalog.OnlySharedMembers;
            for (var type = rangeType; type is not null; type = type.BaseType)
            {
                foreach (var member in type.GetMembers())
                {
                    if (!member.IsStatic && names.Contains(member.Name)
                        && member is IFieldSymbol { Type.SpecialType: SpecialType.System_Boolean } or IPropertySymbol { Type.SpecialType: SpecialType.System_Boolean })
                    {
                        return member;
                    }
                }
            }

            return null;
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
