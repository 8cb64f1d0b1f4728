using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What methods of the compilation do, as seen from their call sites: whether they take or
    /// drop mmu_lock on every path, whether they (transitively) reclaim guest memory, and what
    /// they leave in the flags of ranges they get by ref/out or as <c>this</c>. Computed on
    /// demand from the callee's own body, once per method and compilation; recursion is cut
    /// off (a method still being summarised counts as doing nothing).
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        // The methods being summarised on this thread, outermost first, and the lowest index among
        // them that a recursive call reached since the current frame began (see Guarded).
        [ThreadStatic]
        private static List<IMethodSymbol>? t_inProgress;

        [ThreadStatic]
        private static int t_lowestCut;

        private readonly SymbolRoles _roles;
        private readonly RoleContext _context;
        private readonly ConcurrentDictionary<IMethodSymbol, LockEffect> _lockEffects = new ConcurrentDictionary<IMethodSymbol, LockEffect>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<string>> _reclaimChains = new ConcurrentDictionary<IMethodSymbol, ImmutableArray<string>>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, SummaryBox<FlagEffects>> _flagEffects = new ConcurrentDictionary<IMethodSymbol, SummaryBox<FlagEffects>>(SymbolEqualityComparer.Default);

        // Made once: a method group is a new delegate at every use.
        private readonly Func<IMethodSymbol, LockEffect> _computeLockEffect;
        private readonly Func<IMethodSymbol, ImmutableArray<string>> _computeReclaimChain;
        private readonly Func<IMethodSymbol, SummaryBox<FlagEffects>> _computeFlagEffects;
        private readonly Func<IMethodSymbol, bool> _computeHasCallers;
        private readonly Func<IMethodSymbol, ImmutableArray<int>> _computeZappedRanges;

        // kvm->mmu_lock as an argument (a given-lock helper's, see LockedArgument).
        private readonly Func<IOperation, bool> _isLockMember;
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _hasCallers = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<(BoolValue, BoolValue)>> _bothFlagsFromCallers =
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<(BoolValue, BoolValue)>>(SymbolEqualityComparer.Default);

        internal MethodSummaries(SymbolRoles roles, RoleContext context)
        {
            _roles = roles;
            _context = context;
            _computeLockEffect = ComputeLockEffect;
            _computeReclaimChain = ComputeReclaimChain;
            _computeFlagEffects = method => new SummaryBox<FlagEffects>(ComputeFlagEffects(method));
            _computeHasCallers = ComputeHasCallers;
            _computeZappedRanges = ComputeZappedRanges;
            _isLockMember = roles.IsLockMemberReference;
        }

        /// <summary>Acquire or Release when the method's body takes (drops) mmu_lock on every path without undoing it.</summary>
        internal LockEffect LockEffectOf(IMethodSymbol method)
        {
            method = Normalize(method);
            if (_lockEffects.TryGetValue(method, out var known))
            {
                return known;
            }

            if (GateName(method) is { } lockName && !_context.Gate.MayTouchTheLock(lockName))
            {
                // Its body spells no lock name, even through its callees: no need to bind it.
                return LockEffect.None;
            }

            return Guarded(method, LockEffect.None, _lockEffects, _computeLockEffect);
        }

        /// <summary>
        /// The call chain by which the method reclaims guest memory (itself first, the reclaim
        /// last), or empty when it does not.
        /// </summary>
        internal ImmutableArray<string> ReclaimChainOf(IMethodSymbol method)
        {
            method = Normalize(method);
            if (_roles.IsDirectReclaim(method))
            {
                return ImmutableArray.Create(ChainName(method));
            }

            if (_reclaimChains.TryGetValue(method, out var known))
            {
                return known;
            }

            if (GateName(method) is { } reclaimName && !_context.Gate.MayReclaim(reclaimName))
            {
                return ImmutableArray<string>.Empty;
            }

            return Guarded(method, ImmutableArray<string>.Empty, _reclaimChains, _computeReclaimChain);
        }

        /// <summary>What the method leaves in the flags of the ranges it can change, or null when it is not a helper of this compilation.</summary>
        internal FlagEffects? FlagEffectsOf(IMethodSymbol method)
        {
            method = Normalize(method);
            if (_flagEffects.TryGetValue(method, out var known))
            {
                return known.Value;
            }

            return Guarded(method, SummaryBox<FlagEffects>.None, _flagEffects, _computeFlagEffects).Value;
        }

        /// <summary>
        /// The pairs of values a method stores into the two flags of one range that may both be
        /// true, where at least one comes from its callers (a parameter, <c>this</c>): KVM0001 is
        /// then decided at each call, with its arguments (SPEC section 2: a flag taken from the
        /// method's own parameter is followed into its callers).
        /// </summary>
        internal ImmutableArray<(BoolValue First, BoolValue Second)> BothFlagsFromCallers(IMethodSymbol method)
        {
            method = Normalize(method);
            if (_bothFlagsFromCallers.TryGetValue(method, out var known))
            {
                return known;
            }

            var pairs = ImmutableArray<(BoolValue, BoolValue)>.Empty;
            if (method.DeclaringSyntaxReferences.Length == 1 && (!method.Parameters.IsEmpty || method.MethodKind == MethodKind.LocalFunction)
                && _context.Gate.MaySetBothFlags(method.DeclaringSyntaxReferences[0].GetSyntax())
                && BodyGraph(method) is { } graph)
            {
                // A recursive helper asks its own pairs: while they are being found it passes none on.
                if (!SummaryReentry<FlagsFromCallers>.TryEnter(method))
                {
                    return ImmutableArray<(BoolValue, BoolValue)>.Empty;
                }

                try
                {
                    var observer = new FlagsFromCallers();
                    if (ForwardDataflow.Run(graph, FlowState.Empty, new OperationTransfer(_roles, this, observer, FlowFacts.Flags), CancellationToken.None) is not null)
                    {
                        pairs = observer.Pairs.ToImmutableArray();
                    }
                }
                finally
                {
                    SummaryReentry<FlagsFromCallers>.Exit();
                }
            }

            return _bothFlagsFromCallers.GetOrAdd(method, pairs);
        }

        /// <summary>
        /// Whether some body of this compilation calls the method (constructs its type, for a
        /// constructor; sets or reads its property, for an accessor): a value the method takes
        /// from its parameters is then followed into those callers instead of being assumed.
        /// Only trees that may spell the name are read, and the answer is kept.
        /// </summary>
        internal bool HasCallers(IMethodSymbol method)
        {
            method = Normalize(method);
            return _hasCallers.GetOrAdd(method, _computeHasCallers);
        }

        private bool ComputeHasCallers(IMethodSymbol method)
        {
            if (method.MethodKind is MethodKind.LocalFunction or MethodKind.AnonymousFunction)
            {
                // Its callers are its calls in the body it is written in, when that is all it is
                // used for; a lambda's invocations go through a delegate, which binds nothing.
                return method.MethodKind == MethodKind.LocalFunction && WrittenIn(method) is { } body && NestedFunctionCallers.OnlyAndSomewhereCalledIn(body, method);
            }

            foreach (var (node, _) in References(method))
            {
                if (!IsInside(node, method))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The places of the compilation that refer to the method, each with the model that bound
        /// it: its name (the property's, for an accessor), or for a constructor a creation or a
        /// constructor initializer. Only trees that may spell the name are read, lazily.
        /// </summary>
        private IEnumerable<(SyntaxNode Node, SemanticModel Model)> References(IMethodSymbol method)
        {
            var name = method.MethodKind switch
            {
                MethodKind.Constructor => method.ContainingType.Name,
                MethodKind.PropertyGet or MethodKind.PropertySet => method.AssociatedSymbol?.Name ?? method.Name,
                _ => method.Name,
            };
            var target = method.MethodKind is MethodKind.PropertyGet or MethodKind.PropertySet ? method.AssociatedSymbol ?? method : method;
            var compilation = _context.Compilation;
            foreach (var tree in compilation.SyntaxTrees)
            {
                var names = Gate.TreeNames.For(tree, CancellationToken.None);
                if (!names.Spells(name) && !(method.MethodKind == MethodKind.Constructor && names.HasImplicitCreation))
                {
                    continue;
                }

#pragma warning disable RS1030 // Callers live in other trees; asked once per method and compilation, and only of trees that spell the name.
                var model = compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                foreach (var node in tree.GetRoot().DescendantNodes())
                {
                    var candidate = node switch
                    {
                        Microsoft.CodeAnalysis.CSharp.Syntax.SimpleNameSyntax simple when simple.Identifier.ValueText == name && method.MethodKind != MethodKind.Constructor => node,
                        Microsoft.CodeAnalysis.CSharp.Syntax.BaseObjectCreationExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.ConstructorInitializerSyntax when method.MethodKind == MethodKind.Constructor => node,
                        _ => null,
                    };
                    if (candidate is not null && model.GetSymbolInfo(candidate).Symbol is { } symbol
                        && SymbolEqualityComparer.Default.Equals(symbol is IMethodSymbol m ? Normalize(m) : symbol.OriginalDefinition, target.OriginalDefinition))
                    {
                        yield return (candidate, model);
                    }
                }
            }
        }

        private static bool IsInside(SyntaxNode node, IMethodSymbol method)
        {
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree == node.SyntaxTree && reference.Span.Contains(node.Span))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>A method as a reclaim chain names it: a constructor as <c>new T</c>, an accessor by its property, an operator as written.</summary>
        internal static string ChainName(IMethodSymbol method) => method.MethodKind switch
        {
            MethodKind.Constructor => "new " + method.ContainingType.Name,
            MethodKind.PropertyGet or MethodKind.PropertySet when method.AssociatedSymbol is IPropertySymbol property => property.IsIndexer ? method.ContainingType.Name + "[]" : property.Name,
            MethodKind.UserDefinedOperator or MethodKind.Conversion => method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
            _ => method.Name,
        };

        /// <summary>
        /// The name the gate knows a method's body by: its own, its property's for an accessor, its
        /// type's for a constructor; null for what the gate indexes as part of another body (local
        /// functions, lambdas) or by a token (operators), which are then bound to be asked.
        /// </summary>
        private static string? GateName(IMethodSymbol method) => method.MethodKind switch
        {
            MethodKind.LocalFunction or MethodKind.AnonymousFunction or MethodKind.UserDefinedOperator or MethodKind.Conversion => null,
            MethodKind.PropertyGet or MethodKind.PropertySet => method.AssociatedSymbol is IPropertySymbol { IsIndexer: false } property
                ? (property.ExplicitInterfaceImplementations.IsEmpty ? property.Name : property.ExplicitInterfaceImplementations[0].Name)
                : null,
            MethodKind.Constructor => method.ContainingType.Name,

            // `void IDisposable.Dispose()` is declared, and indexed, by its identifier: its symbol's name is System.IDisposable.Dispose.
            MethodKind.ExplicitInterfaceImplementation when !method.ExplicitInterfaceImplementations.IsEmpty => method.ExplicitInterfaceImplementations[0].Name,
            _ => method.Name,
        };

        private static IMethodSymbol Normalize(IMethodSymbol method) => (method.ReducedFrom ?? method).OriginalDefinition;

        /// <summary>
        /// The summary from <paramref name="cache"/>, or computed and cached. Recursion is cut off:
        /// a method still being summarised counts as doing nothing (<paramref name="whileInProgress"/>).
        /// A summary computed under such a cut is only provisional, unless the cut reached back to
        /// the method itself: for <c>walk -> walk2 -> walk</c>, walk2's summary assumed nothing of
        /// walk, so it is not cached (walk2 asked on its own later is computed again, and finds
        /// the reclaim through walk); walk's own is final, as a cycle adds nothing to what it reaches.
        /// </summary>
        private static T Guarded<T>(IMethodSymbol method, T whileInProgress, ConcurrentDictionary<IMethodSymbol, T> cache, Func<IMethodSymbol, T> compute)
        {
            var stack = t_inProgress ??= new List<IMethodSymbol>();
            for (var i = 0; i < stack.Count; i++)
            {
                if (SymbolEqualityComparer.Default.Equals(stack[i], method))
                {
                    t_lowestCut = Math.Min(t_lowestCut, i);
                    return whileInProgress;
                }
            }

            var depth = stack.Count;
            var outerCut = depth == 0 ? int.MaxValue : t_lowestCut;
            t_lowestCut = int.MaxValue;
            stack.Add(method);
            try
            {
                var value = compute(method);
                if (t_lowestCut >= depth)
                {
                    value = cache.GetOrAdd(method, value);
                    t_lowestCut = int.MaxValue;
                }

                return value;
            }
            finally
            {
                stack.RemoveAt(depth);
                t_lowestCut = Math.Min(outerCut, t_lowestCut);
            }
        }

        private LockEffect ComputeLockEffect(IMethodSymbol method) =>
            BodyOperation(method) is { } body ? ComputeLockEffect(body, lockGiven: null) : LockEffect.None;

        /// <summary>
        /// What the body does to mmu_lock on every path; with <paramref name="lockGiven"/>, to the
        /// lock those references name instead (a parameter, a field that keeps one: see
        /// <see cref="LockEffectOnParameter"/>).
        /// </summary>
        private LockEffect ComputeLockEffect(IOperation body, Func<IOperation, bool>? lockGiven)
        {
            // The cheap test on the operation tree first: the graph is built only when it passes.
            if ((lockGiven is null && !MayTouchTheLock(body)) || BodyGraph(body) is not { } graph)
            {
                return LockEffect.None;
            }

            // IDisposable Lock() => kvm.MmuLock.Write(); takes the lock where its result is used in
            // `using`, and the result's Dispose drops it: a guard, not a lock taken for good.
            if (ReturnsALockGuard(body, lockGiven))
            {
                return LockEffect.GuardAcquire;
            }

            // A body that asserts the lock held (lockdep_assert_held_write(&kvm->mmu_lock), as
            // tdp_mmu.c's kvm_tdp_mmu_zap_leafs does) requires it of its callers: it does not take
            // it, so holding it on return is no acquisition (its callers hold it already).
            // One that drops the lock before it takes it (cond_resched_rwlock_write: unlock,
            // resched, lock) holds it on entry and hands it back held: no acquisition either.
            var releasesFirst = new ReleasesBeforeTaking();
            if (!AssertsTheLockHeld(body)
                && ExitLockState(graph, entryHeld: false, lockGiven, releasesFirst) is { } afterFree && AllPaths(afterFree, path => path.SomeLockDefinitelyHeld())
                && !releasesFirst.Seen)
            {
                return LockEffect.Acquire;
            }

            if (ExitLockState(graph, entryHeld: true, lockGiven) is { } afterHeld && AllPaths(afterHeld, path => path.AnyLock().IsDefinitelyFalse))
            {
                return LockEffect.Release;
            }

            return LockEffect.None;
        }

        /// <summary>
        /// Every return of the body hands back a lock guard: a call on the lock that returns one, a
        /// helper that does, or a helper that returns a guard of the lock it is given, given the
        /// VM's (<c>mmu_guard(kvm) =&gt; guard_write_lock(kvm.mmu_lock)</c>).
        /// </summary>
        private bool ReturnsALockGuard(IOperation body, Func<IOperation, bool>? lockGiven)
        {
            var any = false;
            foreach (var operation in body.Descendants())
            {
                if (operation is IReturnOperation { ReturnedValue: { } returned } && !IsInNestedFunction(operation, body))
                {
                    // A call on the lock that returns a guard, a helper that does, or a new guard object.
                    var unwrapped = LockOperations.Unwrap(returned);
                    var guard = unwrapped switch
                    {
                        IInvocationOperation call => LockOperations.Classify(call, _roles, lockGiven) == LockEffect.GuardAcquire || LockEffectOf(call.TargetMethod) == LockEffect.GuardAcquire
                            || LockedArgument(call.TargetMethod, call.Arguments, lockGiven ?? _isLockMember) is { Effect: LockEffect.GuardAcquire },
                        IObjectCreationOperation creation => MakesALockGuard(creation, lockGiven),
                        _ => false,
                    };
                    if (!guard)
                    {
                        return false;
                    }

                    any = true;
                }
            }

            return any;
        }

        /// <summary>
        /// <c>new ScopedWriteLock(kvm)</c>: a constructor that takes the lock on every path, of a type
        /// whose Dispose drops it; or <c>new write_lock_guard(kvm.mmu_lock)</c>, one that takes the
        /// lock it is given. With <paramref name="lockGiven"/> (a summary following a given lock),
        /// only a guard of that lock.
        /// </summary>
        internal bool MakesALockGuard(IObjectCreationOperation creation, Func<IOperation, bool>? lockGiven = null) =>
            creation.Constructor is { } constructor
            && ((lockGiven is null && LockEffectOf(constructor) == LockEffect.Acquire)
                || LockedArgument(constructor, creation.Arguments, lockGiven ?? _isLockMember) is { Effect: LockEffect.Acquire })
            && IsLockGuard(creation.Type);

        /// <summary>
        /// A type whose Dispose drops the lock on every path (a port's RAII guard, cleanup.h's
        /// <c>guard(write_lock)</c>): what its constructor takes is released where the object is disposed.
        /// </summary>
        internal bool IsLockGuard(ITypeSymbol? type)
        {
            if (type is null)
            {
                return false;
            }

            foreach (var member in type.GetMembers("Dispose"))
            {
                if (member is IMethodSymbol { IsStatic: false, Parameters.IsEmpty: true } dispose && DropsTheLock(dispose))
                {
                    return true;
                }
            }

            // `void IDisposable.Dispose()`: implemented explicitly, under another name.
            var members = _context.Compilation.GetSpecialType(SpecialType.System_IDisposable).GetMembers("Dispose");
            return members.Length == 1 && members[0] is IMethodSymbol disposable
                && type.FindImplementationForInterfaceMember(disposable) is IMethodSymbol implementation
                && DropsTheLock(implementation);

            bool DropsTheLock(IMethodSymbol dispose) => LockEffectOf(dispose) == LockEffect.Release || DisposeDropsAKeptLock(dispose);
        }

        /// <summary>The body asserts mmu_lock held (lockdep_assert_held*), outside its lambdas and local functions.</summary>
        private bool AssertsTheLockHeld(IOperation body)
        {
            foreach (var operation in body.Descendants())
            {
                if (operation is IInvocationOperation invocation && LockOperations.Classify(invocation, _roles) == LockEffect.AssertHeld && !IsInNestedFunction(operation, body))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsInNestedFunction(IOperation operation, IOperation body)
        {
            for (var current = operation.Parent; current is not null && current != body; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return true;
                }
            }

            return false;
        }

        private PathStates? ExitLockState(ControlFlowGraph graph, bool entryHeld, Func<IOperation, bool>? lockGiven = null, FlowObserver? observer = null)
        {
            var entry = FlowState.Empty.Set(OperationTransfer.LockLocation, entryHeld ? BoolValue.True : BoolValue.False);
            var inputs = ForwardDataflow.Run(graph, entry, new OperationTransfer(_roles, this, observer, FlowFacts.Lock, lockGiven), CancellationToken.None);
            return inputs is null ? null : ForwardDataflow.ExitState(graph, inputs);
        }

        private static bool AllPaths(PathStates states, Func<FlowState, bool> predicate)
        {
            foreach (var path in states.Paths)
            {
                if (!predicate(path))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Could the body take or drop mmu_lock (a lock call or statement, a call on the lock, or
        /// a helper with a lock effect)? If not, the lock's state never changes in it, except
        /// by a lockdep assertion, which callers check separately.
        /// </summary>
        internal bool MayTouchTheLock(IOperation body)
        {
            // Itself included: a finally's `Monitor.Exit(lock)` is asked as one operation (KVM0007).
            foreach (var operation in body.DescendantsAndSelf())
            {
                if (operation is IInvocationOperation invocation)
                {
                    if (LockOperations.MayBeALockCall(invocation, _roles) || LockEffectOf(invocation) != LockEffect.None
                        || LockedArgument(invocation.TargetMethod, invocation.Arguments, _isLockMember) is not null)
                    {
                        return true;
                    }
                }
                else if (LockOperations.IsLockStatement(operation))
                {
                    return true;
                }
                else if (operation is IObjectCreationOperation { Constructor: { } constructor } creation
                    && (LockEffectOf(constructor) != LockEffect.None || LockedArgument(constructor, creation.Arguments, _isLockMember) is not null))
                {
                    // A guard's constructor (new ScopedWriteLock(kvm)), which a using disposes unseen here.
                    return true;
                }
            }

            return false;
        }

        private ImmutableArray<string> ComputeReclaimChain(IMethodSymbol method)
        {
            if (BodyOperation(method) is not { } body)
            {
                return ImmutableArray<string>.Empty;
            }

            // A helper that can take or drop the lock is followed in order: it reclaims under its
            // caller's lock only if a reclaim is reached while a lock held on entry may still be
            // held (one that unlocks and then reclaims does not).
            if (MayTouchTheLock(body) && BodyGraph(body) is { } graph)
            {
                var underEntryLock = new ReclaimsUnderTheLock(this);
                var entry = FlowState.Empty.Set(OperationTransfer.LockLocation, BoolValue.True);
                if (ForwardDataflow.Run(graph, entry, new OperationTransfer(_roles, this, underEntryLock, FlowFacts.Lock), CancellationToken.None) is not null)
                {
                    return underEntryLock.Chain is { } chain ? chain.Insert(0, ChainName(method)) : ImmutableArray<string>.Empty;
                }
            }

            foreach (var invocation in InvocationsOutsideNestedFunctions(body))
            {
                var chain = ReclaimChainOf(invocation);
                if (!chain.IsEmpty)
                {
                    return chain.Insert(0, ChainName(method));
                }
            }

            foreach (var (_, callee) in OtherCallsOutsideNestedFunctions(body))
            {
                var chain = ReclaimChainOf(callee);
                if (!chain.IsEmpty)
                {
                    return chain.Insert(0, ChainName(method));
                }
            }

            return ImmutableArray<string>.Empty;
        }

        /// <summary>
        /// The calls a body makes that are not invocations (SPEC section 2: constructors, property
        /// accessors, indexers and operators are calls too), with the method each runs; only those
        /// the compilation has a body for.
        /// </summary>
        internal static IEnumerable<(IOperation Call, IMethodSymbol Method)> OtherCallsOutsideNestedFunctions(IOperation root)
        {
            var pending = new Stack<IOperation>();
            pending.Push(root);
            while (pending.Count > 0)
            {
                var operation = pending.Pop();
                if (CalledBy(operation) is { } called)
                {
                    yield return (operation, called);
                }

                foreach (var child in operation.ChildOperations)
                {
                    if (child is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                    {
                        pending.Push(child);
                    }
                }
            }
        }

        /// <summary>The source method an operation that is no invocation runs: a constructor, an accessor (the setter where it is assigned), an operator.</summary>
        internal static IMethodSymbol? CalledBy(IOperation operation)
        {
            var method = operation switch
            {
                IObjectCreationOperation creation => creation.Constructor,
                IPropertyReferenceOperation property => operation.Parent is IAssignmentOperation assignment && assignment.Target == operation
                    ? property.Property.SetMethod
                    : property.Property.GetMethod,
                IBinaryOperation binary => binary.OperatorMethod,
                IUnaryOperation unary => unary.OperatorMethod,
                _ => null,
            };
            return method is { DeclaringSyntaxReferences.IsEmpty: false } ? method : null;
        }

        /// <summary>The calls a body makes itself: a lambda or local function runs where it is invoked, not here.</summary>
        internal static IEnumerable<IInvocationOperation> InvocationsOutsideNestedFunctions(IOperation root)
        {
            var pending = new Stack<IOperation>();
            pending.Push(root);
            while (pending.Count > 0)
            {
                var operation = pending.Pop();
                if (operation is IInvocationOperation invocation)
                {
                    yield return invocation;
                }

                foreach (var child in operation.ChildOperations)
                {
                    if (child is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                    {
                        pending.Push(child);
                    }
                }
            }
        }

        private FlagEffects? ComputeFlagEffects(IMethodSymbol method)
        {
            var candidates = new List<(int Ordinal, FlowLocation Place)>();
            foreach (var parameter in method.Parameters)
            {
                if (_roles.IsGfnRangeType(parameter.Type) && (parameter.RefKind is RefKind.Ref or RefKind.Out || parameter.Type.IsReferenceType))
                {
                    candidates.Add((parameter.Ordinal, FlowLocation.ForSymbol(parameter)));
                }
            }

            var thisIsRange = !method.IsStatic && _roles.IsGfnRangeType(method.ContainingType);
            if (candidates.Count == 0 && !thisIsRange)
            {
                return null;
            }

            if (BodyGraph(method) is not { } graph)
            {
                return null;
            }

            // Each range's flags start as the caller gave them, held explicitly, so a path that
            // leaves one alone ends with a value a call can bind ("as given"), where a path that
            // overwrote the range with something unseen ends with none.
            var thisPlace = new FlowLocation(FlowLocation.ThisRoot, string.Empty);
            var entry = FlowState.Empty;
            foreach (var place in candidates.Select(c => c.Place).Concat(thisIsRange ? new[] { thisPlace } : Array.Empty<FlowLocation>()))
            {
                entry = FromTheCaller(entry, place);
            }

            var touched = new TouchedFlags();
            var inputs = ForwardDataflow.Run(graph, entry, new OperationTransfer(_roles, this, touched, FlowFacts.Flags), CancellationToken.None);
            if (inputs is null)
            {
                return null;
            }

            var exitPaths = ForwardDataflow.ExitState(graph, inputs);
            var decidable = exitPaths is { Paths.Length: > 1 } ? DecidedParameters.Candidates(method, BodyOperation(method)) : ImmutableArray<IParameterSymbol>.Empty;
            var parameters = new FlagEffect?[method.Parameters.Length];
            foreach (var (ordinal, place) in candidates)
            {
                parameters[ordinal] = EffectLeftIn(place, touched, exitPaths, decidable);
            }

            return new FlagEffects(parameters, thisIsRange ? EffectLeftIn(thisPlace, touched, exitPaths, decidable) : null);
        }

        /// <summary>
        /// What a body run from the caller's range leaves in its flags at <paramref name="place"/>:
        /// per flag, null where it touched nothing, else the value on each exiting path.
        /// </summary>
        private static FlagEffect EffectLeftIn(FlowLocation place, TouchedFlags touched, PathStates? exitPaths, ImmutableArray<IParameterSymbol> decidable)
        {
            var privateTouched = touched.Contains(place, FlagKind.OnlyPrivate);
            var sharedTouched = touched.Contains(place, FlagKind.OnlyShared);
            if (!privateTouched && !sharedTouched)
            {
                return new FlagEffect(null, null);
            }

            if (exitPaths is null)
            {
                // No path reaches the exit: what it leaves is unknown.
                return new FlagEffect(privateTouched ? BoolValue.Unknown : null, sharedTouched ? BoolValue.Unknown : null);
            }

            var paths = new PathFlags();
            foreach (var path in exitPaths.Paths)
            {
                paths.Add(path.Get(place.Flag(FlagKind.OnlyPrivate)).WithoutSites(), path.Get(place.Flag(FlagKind.OnlyShared)).WithoutSites(), DecidedParameters.On(path, decidable));
            }

            return paths.ToEffect(privateTouched, sharedTouched);
        }

        /// <summary>The graph of a method of this compilation with a body (not of lambdas or local functions).</summary>
        private ControlFlowGraph? BodyGraph(IMethodSymbol method) => BodyOperation(method) is { } body ? BodyGraph(body) : null;

        private static ControlFlowGraph? BodyGraph(IOperation root) =>
            root switch
            {
                // Shared with the rules' own analysis of the callee's block, and with every other
                // summary of it: each used to build a graph of its own.
                IMethodBodyOperation { Parent: null } body => MethodBody.SharedGraph(body),
                IConstructorBodyOperation { Parent: null } body => MethodBody.SharedGraph(body),
                // An expression-bodied property or accessor (`Range => new(...)`): its arrow's block.
                IBlockOperation { Parent: null } body => MethodBody.SharedGraph(body),
                // A lambda or local function has no graph of its own: it is a nested graph of its
                // containing body's (so that a lock it takes, when invoked, is followed too).
                IAnonymousFunctionOperation lambda => NestedGraph(lambda.Symbol, OutermostBody(lambda)),
                ILocalFunctionOperation local => NestedGraph(local.Symbol, OutermostBody(local)),
                _ => null,
            };

        private static ControlFlowGraph? OutermostBody(IOperation operation)
        {
            while (operation.Parent is { } parent)
            {
                operation = parent;
            }

            return BodyGraph(operation);
        }

        /// <summary>The graph of a lambda or local function among the nested graphs of <paramref name="graph"/>, at any depth.</summary>
        private static ControlFlowGraph? NestedGraph(IMethodSymbol function, ControlFlowGraph? graph)
        {
            if (graph is null)
            {
                return null;
            }

            foreach (var local in graph.LocalFunctions)
            {
                var nested = graph.GetLocalFunctionControlFlowGraph(local);
                if (SymbolEqualityComparer.Default.Equals(local, function))
                {
                    return nested;
                }

                if (NestedGraph(function, nested) is { } found)
                {
                    return found;
                }
            }

            foreach (var block in graph.Blocks)
            {
                foreach (var operation in block.BranchValue is null ? block.Operations : block.Operations.Add(block.BranchValue))
                {
                    foreach (var lambda in operation.DescendantsAndSelf().OfType<IFlowAnonymousFunctionOperation>())
                    {
                        var nested = graph.GetAnonymousFunctionControlFlowGraph(lambda);
                        if (SymbolEqualityComparer.Default.Equals(lambda.Symbol, function))
                        {
                            return nested;
                        }

                        if (NestedGraph(function, nested) is { } found)
                        {
                            return found;
                        }
                    }
                }
            }

            return null;
        }

        /// <summary>The whole body a lambda or local function is written in (its outermost method's).</summary>
        private IOperation? WrittenIn(IMethodSymbol function) => BodyOperation(function) is { } body ? MethodGraphs.GraphRoot(body) : null;

        private IOperation? BodyOperation(IMethodSymbol method)
        {
            if (method.IsAbstract || method.IsExtern || method.DeclaringSyntaxReferences.Length != 1)
            {
                return null;
            }

            var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
            var compilation = _context.Compilation;
            if (!compilation.ContainsSyntaxTree(syntax.SyntaxTree))
            {
                return null;
            }

#pragma warning disable RS1030 // Summaries need the callee's body, which lives in another tree; each is bound once per compilation and cached.
            var model = compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
            return model.GetOperation(syntax);
        }

        /// <summary>Sees a release of the lock where the body has not taken it (run from a free entry): the body drops its caller's lock.</summary>
        private sealed class ReleasesBeforeTaking : FlowObserver
        {
            internal bool Seen { get; private set; }

            internal override bool ObservesLockEvents => true;

            internal override void OnLockCall(IOperation call, LockEffect effect, FlowLocation lockPlace, bool ownerKnown, FlowState before)
            {
                if (effect == LockEffect.Release && !before.Get(lockPlace).IsDefinitelyTrue)
                {
                    Seen = true;
                }
            }
        }

        /// <summary>The first reclaim a helper reaches while the lock may be held, in the helper's own order.</summary>
        private sealed class ReclaimsUnderTheLock : FlowObserver
        {
            private readonly MethodSummaries _summaries;

            internal ReclaimsUnderTheLock(MethodSummaries summaries)
            {
                _summaries = summaries;
            }

            internal ImmutableArray<string>? Chain { get; private set; }

            internal override bool ObservesInvocations => true;

            internal override void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
            {
                if (Chain is null && state.AnyLock().MayBeTrue
                    && _summaries.ReclaimChainOf(invocation) is { IsEmpty: false } chain)
                {
                    Chain = chain;
                }
            }
        }

        /// <summary>Records the pairs of flag values that may both be true but come from the callers.</summary>
        private sealed class FlagsFromCallers : FlowObserver
        {
            internal List<(BoolValue First, BoolValue Second)> Pairs { get; } = new List<(BoolValue, BoolValue)>();

            internal override bool ObservesFlagsFromCallers => true;

            internal override void OnFlagAssigned(in FlagAssignment assignment)
            {
                if (!assignment.IsFilterForm && !assignment.Other.TrueSites.IsEmpty)
                {
                    Add(assignment.Other.WithoutSites(), assignment.Assigned.WithoutSites());
                }
            }

            /// <summary>A helper called with this method's own parameters passes the question on to this method's callers.</summary>
            internal override void OnFlagsFromArguments(IInvocationOperation invocation, BoolValue first, BoolValue second) =>
                Add(first.WithoutSites(), second.WithoutSites());

            private void Add(BoolValue first, BoolValue second)
            {
                if (!first.MayBeTrueOrUnknown || !second.MayBeTrueOrUnknown || first.Excludes(second) || (first.MayBeTrue && second.MayBeTrue)
                    || !(first.ComesFromTheCallers || second.ComesFromTheCallers))
                {
                    return;
                }

                foreach (var known in Pairs)
                {
                    if (known.First.Equals(first) && known.Second.Equals(second))
                    {
                        return;
                    }
                }

                Pairs.Add((first, second));
            }
        }

        /// <summary>Records which flags of which places a helper stores, replaces or hands to a callee that may change them.</summary>
        private sealed class TouchedFlags : FlowObserver
        {
            private readonly HashSet<(FlowLocation, FlagKind)> _touched = new HashSet<(FlowLocation, FlagKind)>();

            internal bool Contains(FlowLocation place, FlagKind flag) => _touched.Contains((place, flag));

            internal override void OnFlagAssigned(in FlagAssignment assignment) => _touched.Add((assignment.Range, assignment.Flag));

            internal override void OnValueStored(FlowLocation target)
            {
                _touched.Add((target, FlagKind.OnlyPrivate));
                _touched.Add((target, FlagKind.OnlyShared));
            }
        }
    }
}
