using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What a call runs (SPEC section 2, "Calls are followed"): its target; for a delegate
    /// invocation, the lambda, local function or method group it invokes when the method shows
    /// which (invoked immediately, or through a local that holds it); for <c>List&lt;T&gt;.ForEach</c>
    /// and <c>Array.ForEach</c>, the delegate they run; and for a virtual, abstract or interface
    /// target, every override or implementation in the compilation.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        // What a virtual or interface target dispatches to, found when a summary first asks for
        // that target: a keystroke's compilation asks for a few targets, so nothing indexes every
        // member of every type (that cost the IDE about 30 ms a keystroke on a 22,000-line project).
        private readonly System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, IReadOnlyList<IMethodSymbol>> _implementationsOf =
            new System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, IReadOnlyList<IMethodSymbol>>(SymbolEqualityComparer.Default);

        // The source types that implement an interface, for a library's interface (any of them may):
        // made at the first such target.
        private System.Lazy<List<INamedTypeSymbol>>? _typesWithInterfaces;

        // The trees' inheritance indexes, merged: made at the first virtual or interface target.
        private System.Lazy<(HashSet<string> Overrides, List<BaseListEntry> BaseLists)>? _inheritance;

        // Made once: a method group passed to GetOrAdd is a new delegate on every call.
        private System.Func<IMethodSymbol, IReadOnlyList<IMethodSymbol>>? _findImplementations;

        private readonly System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, ImmutableArray<DelegateUnderLock>> _delegatesUnderLock =
            new System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, ImmutableArray<DelegateUnderLock>>(SymbolEqualityComparer.Default);

        /// <summary>
        /// The delegates the method is given (a parameter, or a delegate field of one: the
        /// kernel's <c>range->on_lock(kvm)</c>, <c>range->handler(...)</c>) that it invokes while
        /// it may hold mmu_lock. What a caller passes for one runs under the lock.
        /// </summary>
        internal ImmutableArray<DelegateUnderLock> DelegatesInvokedUnderLock(IMethodSymbol method)
        {
            method = Normalize(method);
            if (_delegatesUnderLock.TryGetValue(method, out var known))
            {
                return known;
            }

            var found = ImmutableArray<DelegateUnderLock>.Empty;
            if ((GateName(method) is not { } name || _context.Gate.MayTouchTheLock(name))
                && BodyOperation(method) is { } body && MayTouchTheLock(body) && BodyGraph(body) is { } graph)
            {
                var observer = new DelegatesUnderTheLock();
                var entry = FlowState.Empty.Set(OperationTransfer.LockLocation, BoolValue.False);
                if (ForwardDataflow.Run(graph, entry, new OperationTransfer(_roles, this, observer, FlowFacts.Lock), CancellationToken.None) is not null)
                {
                    found = observer.Found.ToImmutableArray();
                }
            }

            return _delegatesUnderLock.GetOrAdd(method, found);
        }

        private readonly System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>> _zappedRanges =
            new System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>>(SymbolEqualityComparer.Default);

        /// <summary>
        /// The range parameters a call of the method zaps: every range parameter of a zap of the
        /// catalogue; for a helper of the compilation, those it hands on unchanged to a zap (SPEC 3:
        /// helpers that zap count as a zap). Empty for anything else.
        /// </summary>
        internal ImmutableArray<int> ZappedRangeParameters(IMethodSymbol method)
        {
            method = Normalize(method);
            if (_roles.IsDirectZap(method))
            {
                var all = ImmutableArray.CreateBuilder<int>();
                foreach (var parameter in method.Parameters)
                {
                    if (_roles.IsGfnRangeType(Rules.RangeCalls.RangeType(parameter.Type)))
                    {
                        all.Add(parameter.Ordinal);
                    }
                }

                return all.ToImmutable();
            }

            if (_zappedRanges.TryGetValue(method, out var known))
            {
                return known;
            }

            if (GateName(method) is not { } name || !_context.Gate.MayZapAFilteredRangeNamed(name))
            {
                return ImmutableArray<int>.Empty;
            }

            return Guarded(method, ImmutableArray<int>.Empty, _zappedRanges, _computeZappedRanges);
        }

        private ImmutableArray<int> ComputeZappedRanges(IMethodSymbol method)
        {
            var candidates = ImmutableArray.CreateBuilder<int>();
            foreach (var parameter in method.Parameters)
            {
                if (_roles.IsGfnRangeType(Rules.RangeCalls.RangeType(parameter.Type)))
                {
                    candidates.Add(parameter.Ordinal);
                }
            }

            if (candidates.Count == 0 || BodyOperation(method) is not { } body || BodyGraph(body) is not { } graph)
            {
                return ImmutableArray<int>.Empty;
            }

            var observer = new RangesHandedToZaps(this, method);
            if (ForwardDataflow.Run(graph, FlowState.Empty, new OperationTransfer(_roles, this, observer, FlowFacts.Flags), CancellationToken.None) is null)
            {
                return ImmutableArray<int>.Empty;
            }

            // A helper that tests its range's filter for 0 (`if (range.attr_filter == 0)
            // range.attr_filter = KVM_FILTER_SHARED | KVM_FILTER_PRIVATE;`) says what 0 means there:
            // what it zaps as given is not 0, and its callers may pass 0.
            observer.Ordinals.ExceptWith(FiltersTestedForZero(body));
            return observer.Ordinals.ToImmutableArray();
        }

        /// <summary>The ordinals of the range parameters whose filter the body compares with 0 (<c>==</c>, <c>!=</c>, <c>is 0</c>).</summary>
        private HashSet<int> FiltersTestedForZero(IOperation body)
        {
            var tested = new HashSet<int>();
            foreach (var operation in body.Descendants())
            {
                var (value, zero) = operation switch
                {
                    IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary =>
                        IsZero(binary.RightOperand) ? (binary.LeftOperand, true) : IsZero(binary.LeftOperand) ? (binary.RightOperand, true) : (null, false),
                    IIsPatternOperation { Pattern: IConstantPatternOperation { Value: { } constant } } pattern => (pattern.Value, IsZero(constant)),
                    _ => (null, false),
                };

                if (zero && LockOperations.Unwrap(value!) is IMemberReferenceOperation { Instance: IParameterReferenceOperation { Parameter: { } parameter } } member
                    && _roles.IsFilterMember(member.Member))
                {
                    tested.Add(parameter.Ordinal);
                }
            }

            return tested;
        }

        private static bool IsZero(IOperation operation) =>
            operation.ConstantValue is { HasValue: true, Value: { } constant } && OperationTransfer.ToLong(constant) == 0;

        /// <summary>The range parameters a helper hands, with their filters as they came, to a zap.</summary>
        private sealed class RangesHandedToZaps : FlowObserver
        {
            private readonly MethodSummaries _summaries;
            private readonly IMethodSymbol _method;

            internal RangesHandedToZaps(MethodSummaries summaries, IMethodSymbol method)
            {
                _summaries = summaries;
                _method = method;
            }

            internal HashSet<int> Ordinals { get; } = new HashSet<int>();

            internal override bool ObservesInvocations => true;

            internal override void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
            {
                foreach (var ordinal in _summaries.ZappedRangeParameters(invocation.TargetMethod))
                {
                    for (var i = 0; i < invocation.Arguments.Length; i++)
                    {
                        if (invocation.Arguments[i].Parameter?.Ordinal == ordinal && argumentPlaces[i].IsValid
                            && argumentPlaces[i].Root is IParameterSymbol own && SymbolEqualityComparer.Default.Equals(own.ContainingSymbol, _method)
                            && argumentPlaces[i].Path.Length == 0
                            && AsGiven(state, argumentPlaces[i]))
                        {
                            Ordinals.Add(own.Ordinal);
                        }
                    }
                }
            }

            /// <summary>The range still has the filter it came with (the method did not assign it).</summary>
            private static bool AsGiven(FlowState state, FlowLocation range) =>
                state.Get(range.Flag(FlagKind.OnlyShared)) is { IsPureUnknown: true } shared && (shared.Origin is null || Equals(shared.Origin, range.Flag(FlagKind.OnlyShared)))
                && state.Get(range.Flag(FlagKind.OnlyPrivate)) is { IsPureUnknown: true } @private && (@private.Origin is null || Equals(@private.Origin, range.Flag(FlagKind.OnlyPrivate)));
        }

        /// <summary>The chain by which the call reclaims guest memory (the call first), or empty.</summary>
        internal ImmutableArray<string> ReclaimChainOf(IInvocationOperation invocation)
        {
            var direct = ReclaimChainOf(invocation.TargetMethod);
            if (!direct.IsEmpty)
            {
                return direct;
            }

            if (MayRunOthers(invocation.TargetMethod))
            {
                var virtualCall = invocation.TargetMethod.MethodKind != MethodKind.DelegateInvoke && invocation.TargetMethod.Name != "ForEach";
                foreach (var callee in RunBy(invocation))
                {
                    if (ChainThrough(invocation, callee, virtualCall) is { IsEmpty: false } chain)
                    {
                        return chain;
                    }
                }
            }

            // A port's own iterator (`for_each_slot(kvm, slot => ...)`) whose body spells no lock
            // name: what it runs during the call runs under whatever lock its caller holds. (Its
            // delegates are asked first: most calls have none, and the gate is not worth asking.)
            var iterated = FunctionsRunDuring(invocation);
            if (!iterated.IsEmpty && GateName(invocation.TargetMethod) is { } name && !_context.Gate.MayTouchTheLock(name))
            {
                foreach (var function in iterated)
                {
                    if (ChainThrough(invocation, function, qualified: true) is { IsEmpty: false } chain)
                    {
                        return chain;
                    }
                }
            }

            return ImmutableArray<string>.Empty;
        }

        /// <summary>
        /// The chain by which the call reclaims through <paramref name="callee"/>, which it runs:
        /// named by the call as written (the delegate, ForEach, the interface method, the
        /// iterator), then what it ran (a lambda, Type.Method), then the rest of that one's chain;
        /// empty when the callee reclaims nothing.
        /// </summary>
        private ImmutableArray<string> ChainThrough(IInvocationOperation invocation, IMethodSymbol callee, bool qualified)
        {
            var chain = ReclaimChainOf(callee);
            return chain.IsEmpty ? chain : chain.SetItem(0, Display(callee, qualified)).Insert(0, CallDisplay(invocation));
        }

        /// <summary>What the call does to the lock through what it runs: the target's summary, or what every implementation of a virtual target agrees on.</summary>
        internal LockEffect LockEffectOf(IInvocationOperation invocation)
        {
            var direct = LockEffectOf(invocation.TargetMethod);
            if (direct != LockEffect.None)
            {
                return direct;
            }

            if (!MayRunOthers(invocation.TargetMethod))
            {
                return LockEffect.None;
            }

            var effect = LockEffect.None;
            var first = true;
            foreach (var callee in RunBy(invocation))
            {
                var calleeEffect = LockEffectOf(callee);
                if (first)
                {
                    effect = calleeEffect;
                    first = false;
                }
                else if (calleeEffect != effect)
                {
                    return LockEffect.None;
                }
            }

            return effect;
        }

        private static string CallDisplay(IInvocationOperation invocation) =>
            invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke ? Rules.RangeCalls.CallName(invocation) : invocation.TargetMethod.Name;

        /// <summary>What a call ran, in a chain: a lambda as such, an implementation reached by a virtual call with its type (Sev.Reclaim).</summary>
        private static string Display(IMethodSymbol method, bool qualified) =>
            method.MethodKind == MethodKind.AnonymousFunction ? "lambda" : qualified && method.ContainingType is { } type ? type.Name + "." + method.Name : method.Name;

        /// <summary>
        /// Whether a call to <paramref name="target"/> may run methods besides the target's own
        /// body (<see cref="RunBy"/>): asked first, because most calls run none and the iterator
        /// is not worth making for them.
        /// </summary>
        private static bool MayRunOthers(IMethodSymbol target) =>
            target.MethodKind == MethodKind.DelegateInvoke
            || target.Name == "ForEach"
            || DispatchesToImplementations(target);

        /// <summary>A call to the target runs whichever override or implementation the receiver has.</summary>
        private static bool DispatchesToImplementations(IMethodSymbol target) =>
            (target.IsVirtual || target.IsAbstract || target.IsOverride || target.ContainingType?.TypeKind == TypeKind.Interface) && !target.IsStatic;

        /// <summary><c>List&lt;T&gt;.ForEach</c> or <c>Array.ForEach</c>: the delegate it is given runs there, for each element (SPEC section 2).</summary>
        internal static bool IsCollectionForEach(IMethodSymbol target) =>
            target.Name == "ForEach" && target.ContainingType is { } type
            && (type.ToDisplayString().StartsWith("System.Collections.Generic.List<", System.StringComparison.Ordinal) || type.ToDisplayString() == "System.Array");

        /// <summary>
        /// The function a delegate invocation or a ForEach runs, when the method shows which (see
        /// <see cref="InvokedFunction"/>); null for any other call, or a delegate it cannot see.
        /// </summary>
        internal IMethodSymbol? DelegateRunBy(IInvocationOperation invocation)
        {
            var target = invocation.TargetMethod;
            if (target.MethodKind == MethodKind.DelegateInvoke)
            {
                return InvokedFunction(invocation.Instance);
            }

            if (IsCollectionForEach(target))
            {
                // List<T>.ForEach(action), Array.ForEach(array, action): one delegate argument.
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter?.Type.TypeKind == TypeKind.Delegate)
                    {
                        return InvokedFunction(argument.Value);
                    }
                }
            }

            return null;
        }

        /// <summary>The methods the call runs besides its target's own body (see the type's remarks).</summary>
        private IEnumerable<IMethodSymbol> RunBy(IInvocationOperation invocation)
        {
            var target = invocation.TargetMethod;
            if (target.MethodKind == MethodKind.DelegateInvoke || IsCollectionForEach(target))
            {
                if (DelegateRunBy(invocation) is { } invoked)
                {
                    yield return invoked;
                }

                yield break;
            }

            if (DispatchesToImplementations(target))
            {
                var receiver = ReceiverType(invocation.Instance);
                var ofAnEnumerator = DisposesAForeachEnumerator(invocation);
                foreach (var implementation in ImplementationsOf(Normalize(target)))
                {
                    if ((receiver is null || MayRunOn(implementation, receiver)) && (!ofAnEnumerator || IsAnEnumerator(implementation.ContainingType)))
                    {
                        yield return implementation;
                    }
                }
            }
        }

        /// <summary>
        /// A foreach's own Dispose of an enumerator whose type is no IDisposable (over an array or a
        /// non-generic IEnumerable): the graph disposes <c>enumerator as IDisposable</c> through a
        /// capture, so the call's receiver says only IDisposable, but the object is an enumerator.
        /// </summary>
        private static bool DisposesAForeachEnumerator(IInvocationOperation invocation) =>
            invocation.IsImplicit && invocation.Instance is IFlowCaptureReferenceOperation && invocation.Syntax.Parent is CommonForEachStatementSyntax;

        /// <summary>Whether objects of the type can be a foreach's enumerator: it (or a base) has a MoveNext, or it is an IEnumerator.</summary>
        private static bool IsAnEnumerator(INamedTypeSymbol? type)
        {
            if (type is null)
            {
                return true;
            }

            for (var current = type; current is not null; current = current.BaseType)
            {
                if (!current.GetMembers("MoveNext").IsEmpty)
                {
                    return true;
                }
            }

            foreach (var @interface in type.AllInterfaces)
            {
                if (@interface.Name is "IEnumerator" or "IAsyncEnumerator")
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The static type of the object a virtual call is made on, before the compiler converted
        /// it to the interface (a foreach's <c>((IDisposable)enumerator).Dispose()</c>), or null
        /// when it says nothing (a type parameter, an error).
        /// </summary>
        private static ITypeSymbol? ReceiverType(IOperation? instance)
        {
            while (instance is IConversionOperation { IsImplicit: true } conversion)
            {
                instance = conversion.Operand;
            }

            return instance?.Type is { TypeKind: TypeKind.Class or TypeKind.Struct or TypeKind.Interface } type ? type : null;
        }

        /// <summary>
        /// Can <paramref name="implementation"/> be what a call on a <paramref name="receiver"/>
        /// runs? A struct or sealed receiver runs its own type's (or an inherited one); a class
        /// receiver one of its chain's, above or below it; an interface receiver one of a type
        /// that implements that interface, or that a source type implementing it inherits. So a
        /// foreach over a list does not run the port's lock guard's Dispose, which only
        /// implements IDisposable.
        /// </summary>
        private bool MayRunOn(IMethodSymbol implementation, ITypeSymbol receiver)
        {
            var type = implementation.ContainingType;
            if (type is null)
            {
                return true;
            }

            static bool Implements(ITypeSymbol type, ITypeSymbol @interface)
            {
                foreach (var implemented in type.AllInterfaces)
                {
                    if (SymbolEqualityComparer.Default.Equals(implemented.OriginalDefinition, @interface.OriginalDefinition))
                    {
                        return true;
                    }
                }

                return false;
            }

            static bool Inherits(ITypeSymbol derived, ITypeSymbol @base)
            {
                for (var current = derived; current is not null; current = current.BaseType)
                {
                    if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, @base.OriginalDefinition))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (receiver.TypeKind == TypeKind.Interface)
            {
                if (type.TypeKind == TypeKind.Interface || SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, receiver.OriginalDefinition))
                {
                    return true;
                }

                if (Implements(type, receiver))
                {
                    return true;
                }

                // class Base { public void Reclaim(...) } sealed class Inherited : Base, IReclaimer { }
                if (type.IsSealed || type.TypeKind != TypeKind.Class || receiver is not INamedTypeSymbol @interface || _inheritance is null)
                {
                    return false;
                }

                foreach (var derived in TypesThatMayImplement(@interface, _inheritance.Value.BaseLists, _context.Gate.Aliases))
                {
                    if (Inherits(derived, type) && Implements(derived, receiver))
                    {
                        return true;
                    }
                }

                return false;
            }

            return Inherits(receiver, type) || (!receiver.IsSealed && receiver.TypeKind == TypeKind.Class && Inherits(type, receiver));
        }

        /// <summary>The function a delegate value stands for, when the method shows it: a lambda, a method group, or a local initialised with one.</summary>
        internal IMethodSymbol? InvokedFunction(IOperation? value)
        {
            for (var depth = 0; value is not null && depth < 8; depth++)
            {
                switch (LockOperations.Unwrap(value))
                {
                    case IDelegateCreationOperation creation:
                        value = creation.Target;
                        continue;
                    case IAnonymousFunctionOperation lambda:
                        return lambda.Symbol;
                    case IFlowAnonymousFunctionOperation flowLambda:
                        return flowLambda.Symbol;
                    case IMethodReferenceOperation group:
                        return group.Method;
                    case ILocalReferenceOperation local:
                        value = InitializerOf(local.Local);
                        continue;
                    default:
                        return null;
                }
            }

            return null;
        }

        /// <summary>
        /// What a local holds all through its body: its declarator's value, bound in its own tree,
        /// when nothing writes the local again (`Action step = reclaim; step = nop;` may hold
        /// either); null otherwise.
        /// </summary>
        internal IOperation? InitializerOf(ILocalSymbol local) =>
            _heldValues.GetOrAdd(local, _computeHeldValue ??= l => new SummaryBox<IOperation>(ComputeHeldValue(l))).Value;

        private readonly System.Collections.Concurrent.ConcurrentDictionary<ILocalSymbol, SummaryBox<IOperation>> _heldValues =
            new System.Collections.Concurrent.ConcurrentDictionary<ILocalSymbol, SummaryBox<IOperation>>(SymbolEqualityComparer.Default);

        private System.Func<ILocalSymbol, SummaryBox<IOperation>>? _computeHeldValue;

        private IOperation? ComputeHeldValue(ILocalSymbol local)
        {
            if (local.DeclaringSyntaxReferences.Length != 1
                || local.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } initializer }
                || !_context.Compilation.ContainsSyntaxTree(initializer.SyntaxTree))
            {
                return null;
            }

#pragma warning disable RS1030 // The local's initializer, in the tree being analysed: bound once by the semantic model that analysis uses.
            var value = _context.Compilation.GetSemanticModel(initializer.SyntaxTree).GetOperation(initializer);
#pragma warning restore RS1030
            if (value is null || MethodGraphs.GraphRoot(value) is not { } body)
            {
                return null;
            }

            foreach (var operation in body.Descendants())
            {
                // A `ref` to a call is not counted: one the compilation cannot see into does not
                // replace what it is given (SPEC section 2), as `ref range` to a handler.
                if (operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local) && VariableWrites.IsWritten(reference)
                    && reference.Parent is not IArgumentOperation { Parameter.RefKind: RefKind.Ref })
                {
                    return null;
                }
            }

            return value;
        }

        /// <summary>Every source method that overrides or implements <paramref name="method"/>, and the method itself when it has a body.</summary>
        private IReadOnlyList<IMethodSymbol> ImplementationsOf(IMethodSymbol method) =>
            _implementationsOf.GetOrAdd(method, _findImplementations ??= FindImplementations);

        /// <summary>
        /// What <see cref="ImplementationsOf"/> gives, in source order: the method itself when it is
        /// a virtual source method with a body; every source method whose chain of overridden
        /// methods reaches it (in C# an override has its name, so the compiler's declaration table
        /// gives the candidates by name, asked only when some tree declares an override of that
        /// name); and, for an interface method, what each source type that may implement the
        /// interface (<see cref="InheritanceIndex"/>) maps it to (implicitly, explicitly or through
        /// a base type), with that method's own overrides.
        /// </summary>
        private IReadOnlyList<IMethodSymbol> FindImplementations(IMethodSymbol method)
        {
            var compilation = _context.Compilation;
            var found = new List<IMethodSymbol>();
            void Add(IMethodSymbol implementation)
            {
                if (!System.Linq.Enumerable.Contains(found, implementation, SymbolEqualityComparer.Default))
                {
                    found.Add(implementation);
                }
            }

            if (method.IsVirtual && !method.IsAbstract && !method.IsStatic && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, compilation.Assembly))
            {
                Add(method);
            }

            _inheritance ??= new System.Lazy<(HashSet<string>, List<BaseListEntry>)>(() => MergedInheritance(compilation), LazyThreadSafetyMode.ExecutionAndPublication);
            var inheritance = _inheritance.Value;

            // An override has its method's name and the override modifier (a source method with
            // an overridden method is declared so): when no tree declares one, there is none.
            if (method.MethodKind != MethodKind.Ordinary || inheritance.Overrides.Contains(method.Name))
            {
                foreach (var candidate in compilation.GetSymbolsWithName(method.Name, SymbolFilter.Member))
                {
                    if (candidate is not IMethodSymbol { IsStatic: false } over)
                    {
                        continue;
                    }

                    for (var overridden = over.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
                    {
                        if (SymbolEqualityComparer.Default.Equals(overridden.OriginalDefinition, method))
                        {
                            Add(over);
                            break;
                        }
                    }
                }
            }

            if (method.ContainingType is { TypeKind: TypeKind.Interface } @interface)
            {
                foreach (var type in TypesThatMayImplement(@interface, inheritance.BaseLists, _context.Gate.Aliases))
                {
                    foreach (var implemented in type.AllInterfaces)
                    {
                        if (!SymbolEqualityComparer.Default.Equals(implemented.OriginalDefinition, @interface.OriginalDefinition))
                        {
                            continue;
                        }

                        foreach (var member in implemented.GetMembers(method.Name))
                        {
                            if (member is IMethodSymbol interfaceMethod && SymbolEqualityComparer.Default.Equals(interfaceMethod.OriginalDefinition, method)
                                && type.FindImplementationForInterfaceMember(interfaceMethod) is IMethodSymbol implementation)
                            {
                                Add(implementation);

                                // The interface maps to the method that implements it, and the call
                                // dispatches on to every override of that method.
                                if (implementation.IsVirtual || implementation.IsAbstract || implementation.IsOverride)
                                {
                                    foreach (var over in ImplementationsOf(Normalize(implementation)))
                                    {
                                        Add(over);
                                    }
                                }
                            }
                        }
                    }
                }
            }

            // Source order, so that a chain a message names does not depend on the order of a search.
            found.Sort(static (a, b) => CompareSourceOrder(a, b));
            return found;
        }

        private static int CompareSourceOrder(IMethodSymbol a, IMethodSymbol b)
        {
            var (pathA, startA) = SourceOrder(a);
            var (pathB, startB) = SourceOrder(b);
            var byPath = string.CompareOrdinal(pathA, pathB);
            return byPath != 0 ? byPath : startA.CompareTo(startB);
        }

        private static (string Path, int Start) SourceOrder(IMethodSymbol method) =>
            method.Locations.Length > 0 && method.Locations[0].SourceTree is { } tree ? (tree.FilePath, method.Locations[0].SourceSpan.Start) : (string.Empty, -1);

        /// <summary>
        /// The source types that may implement <paramref name="interface"/>. One of this
        /// compilation's can only be implemented by a type whose base list leads to its name
        /// (<see cref="InheritanceIndex.MayImplement"/>); one a library declares may also come
        /// through a library's base type, so every type with a base list, and every record, is
        /// asked. Only those types' symbols are made: a keystroke's compilation used to resolve
        /// the interfaces of every source type for a foreach's IEnumerator.MoveNext.
        /// </summary>
        private List<INamedTypeSymbol> TypesThatMayImplement(INamedTypeSymbol @interface, List<BaseListEntry> baseLists, List<(string Alias, string Target)> aliases)
        {
            var compilation = _context.Compilation;
            if (SymbolEqualityComparer.Default.Equals(@interface.ContainingAssembly, compilation.Assembly))
            {
                return TypesWithInterfaces(compilation, InheritanceIndex.MayImplement(@interface.Name, baseLists, aliases));
            }

            _typesWithInterfaces ??= new System.Lazy<List<INamedTypeSymbol>>(() => TypesWithInterfaces(compilation, baseLists), LazyThreadSafetyMode.ExecutionAndPublication);
            return _typesWithInterfaces.Value;
        }

        /// <summary>The types <paramref name="entries"/> declare that implement some interface, each once.</summary>
        private static List<INamedTypeSymbol> TypesWithInterfaces(Compilation compilation, List<BaseListEntry> entries)
        {
            var types = new List<INamedTypeSymbol>();
            var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            SemanticModel? model = null;
            foreach (var entry in entries)
            {
                // The entries come tree by tree: one model a tree.
                var tree = entry.Declaration.SyntaxTree;
                if (model?.SyntaxTree != tree)
                {
                    if (!compilation.ContainsSyntaxTree(tree))
                    {
                        continue;
                    }

#pragma warning disable RS1030 // A type declaration of another tree; only the declared symbol is asked, no body is bound.
                    model = compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                }

                if (model.GetDeclaredSymbol(entry.Declaration) is INamedTypeSymbol type
                    && seen.Add(type) && !type.AllInterfaces.IsEmpty)
                {
                    types.Add(type);
                }
            }

            return types;
        }

        /// <summary>Every tree's <see cref="InheritanceIndex"/>, merged (the trees' aliases are the gate's, <see cref="Gate.SyntaxGate.Aliases"/>).</summary>
        private static (HashSet<string>, List<BaseListEntry>) MergedInheritance(Compilation compilation)
        {
            var overrides = new HashSet<string>(System.StringComparer.Ordinal);
            var baseLists = new List<BaseListEntry>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                var index = InheritanceIndex.For(tree, CancellationToken.None);
                if (index.Overrides is { } named)
                {
                    overrides.UnionWith(named);
                }

                baseLists.AddRange(index.BaseLists);
            }

            return (overrides, baseLists);
        }
    }

    /// <summary>A delegate a method invokes under the lock: which parameter (and delegate field of it), and where.</summary>
    internal readonly struct DelegateUnderLock
    {
        internal DelegateUnderLock(int ordinal, string? member, SyntaxNode invokedAt, SyntaxNode? takenAt)
        {
            Ordinal = ordinal;
            Member = member;
            InvokedAt = invokedAt;
            TakenAt = takenAt;
        }

        internal int Ordinal { get; }

        internal string? Member { get; }

        internal SyntaxNode InvokedAt { get; }

        internal SyntaxNode? TakenAt { get; }
    }

    /// <summary>Records the parameter delegates invoked while a lock may be held.</summary>
    internal sealed class DelegatesUnderTheLock : FlowObserver
    {
        internal List<DelegateUnderLock> Found { get; } = new List<DelegateUnderLock>();

        internal override bool ObservesInvocations => true;

        internal override void OnParameterDelegateInvoked(int ordinal, string? member, IInvocationOperation invocation, FlowState state)
        {
            var held = state.AnyLock();
            if (!held.MayBeTrue)
            {
                return;
            }

            foreach (var known in Found)
            {
                if (known.Ordinal == ordinal && known.Member == member)
                {
                    return;
                }
            }

            Found.Add(new DelegateUnderLock(ordinal, member, invocation.Syntax, held.TrueSites.IsEmpty ? null : held.TrueSites[0]));
        }
    }
}
