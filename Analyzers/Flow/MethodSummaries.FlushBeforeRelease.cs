using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What a helper that drops mmu_lock flushes before it drops it: <c>flush_and_unlock(kvm)</c>
    /// (<c>kvm_flush_remote_tlbs(kvm); KVM_MMU_UNLOCK(kvm);</c>) or <c>unlock_flush(kvm, flush)</c>
    /// (<c>if (flush) kvm_flush_remote_tlbs(kvm);</c> then the release). At its call the caller's
    /// zap results are then flushed for before the release KVM0006 checks, where a helper that
    /// releases first and flushes after (the bug) still releases them unflushed.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        private readonly ConcurrentDictionary<IMethodSymbol, FlushBeforeRelease> _flushBeforeRelease =
            new ConcurrentDictionary<IMethodSymbol, FlushBeforeRelease>(SymbolEqualityComparer.Default);

        private Func<IMethodSymbol, FlushBeforeRelease>? _computeFlushBeforeRelease;

        /// <summary>What the release helper flushes for before each release it makes (<see cref="FlushBeforeRelease.None"/> for any other method).</summary>
        internal FlushBeforeRelease FlushBeforeReleaseOf(IMethodSymbol method)
        {
            method = Normalize(method);
            if (method.DeclaringSyntaxReferences.IsEmpty)
            {
                return FlushBeforeRelease.None;
            }

            if (_flushBeforeRelease.TryGetValue(method, out var known))
            {
                return known;
            }

            if (GateName(method) is { } name && !_context.Gate.MayFlushTlbs(name))
            {
                return FlushBeforeRelease.None;
            }

            return Guarded(method, FlushBeforeRelease.None, _flushBeforeRelease, _computeFlushBeforeRelease ??= ComputeFlushBeforeRelease);
        }

        private FlushBeforeRelease ComputeFlushBeforeRelease(IMethodSymbol method)
        {
            // The lock it drops: a VM's (KVM_MMU_UNLOCK(kvm)), or the one it is given (write_unlock(l)).
            Func<IOperation, bool>? lockGiven = null;
            if (LockEffectOf(method) != LockEffect.Release)
            {
                var (ordinal, effect) = LockEffectOnParameter(method);
                if (effect != LockEffect.Release)
                {
                    return FlushBeforeRelease.None;
                }

                lockGiven = ReferencesTo(method.Parameters[ordinal]);
            }

            if (BodyGraph(method) is not { } graph)
            {
                return FlushBeforeRelease.None;
            }

            // The caller's owed flushes, as one place every flush settles, and each bool
            // parameter as a zap's result passed there (a test that finds it false settles it).
            var callers = FlowLocation.ForSymbol(method).With(PlaceFact.FlushOwed);
            var entry = WithFlushParametersOwed(FlowState.Empty.Set(OperationTransfer.LockLocation, BoolValue.True).Set(callers, BoolValue.True), method);

            var releases = new ReleasesOwing(callers, method.Parameters);
            if (ForwardDataflow.Run(graph, entry, new OperationTransfer(_roles, this, releases, FlowFacts.Lock | FlowFacts.Flush, lockGiven), CancellationToken.None) is null
                || !releases.SawARelease)
            {
                return FlushBeforeRelease.None;
            }

            var flushedFor = ImmutableArray.CreateBuilder<int>();
            foreach (var parameter in method.Parameters)
            {
                if (IsFlushFlag(parameter) && !releases.Owed.Contains(parameter.Ordinal))
                {
                    flushedFor.Add(parameter.Ordinal);
                }
            }

            return new FlushBeforeRelease(!releases.Owed.Contains(-1), flushedFor.ToImmutable());
        }

        /// <summary>Records, at each release the body makes, which of the caller's owed flushes (-1) and flush parameters may still be owed.</summary>
        private sealed class ReleasesOwing : FlowObserver
        {
            private readonly FlowLocation _callers;
            private readonly ImmutableArray<IParameterSymbol> _parameters;

            internal ReleasesOwing(FlowLocation callers, ImmutableArray<IParameterSymbol> parameters)
            {
                _callers = callers;
                _parameters = parameters;
            }

            internal bool SawARelease { get; private set; }

            internal System.Collections.Generic.HashSet<int> Owed { get; } = new System.Collections.Generic.HashSet<int>();

            internal override bool ObservesLockEvents => true;

            internal override void OnLockCall(IOperation call, LockEffect effect, FlowLocation lockPlace, bool ownerKnown, FlowState before)
            {
                if (effect != LockEffect.Release)
                {
                    return;
                }

                SawARelease = true;
                if (before.Get(_callers).MayBeTrue)
                {
                    Owed.Add(-1);
                }

                foreach (var parameter in _parameters)
                {
                    if (IsFlushFlag(parameter) && before.Get(OwedFor(parameter)).MayBeTrue)
                    {
                        Owed.Add(parameter.Ordinal);
                    }
                }
            }
        }
    }
}
