using System;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// The model's lockdep: counts every contract violation, and in checked mode throws at the
    /// point of the violation so a test sees the stack. Kernel: lockdep_assert_held(),
    /// WARN_ON_ONCE() and KVM_BUG_ON() at the same places.
    /// </summary>
    public sealed class Lockdep
    {
        private readonly long[] _counts = new long[Enum.GetValues(typeof(ContractViolation)).Length];

        // The last message of each violation: a WARN is not thrown, so this is what says why.
        private readonly string?[] _lastMessages = new string?[Enum.GetValues(typeof(ContractViolation)).Length];

        /// <summary>A checker that counts every violation, and throws at one when <paramref name="throwOnViolation"/> (checked mode).</summary>
        public Lockdep(bool throwOnViolation)
        {
            ThrowOnViolation = throwOnViolation;
        }

        /// <summary>Checked mode: a violation throws <see cref="KvmContractViolationException"/>.</summary>
        public bool ThrowOnViolation { get; set; }

        /// <summary>All violations so far.</summary>
        public long Total
        {
            get
            {
                long total = 0;
                for (var i = 0; i < _counts.Length; i++)
                {
                    total += Interlocked.Read(ref _counts[i]);
                }

                return total;
            }
        }

        /// <summary>How many violations of <paramref name="violation"/> were recorded (thrown or counted).</summary>
        public long Count(ContractViolation violation) => Interlocked.Read(ref _counts[(int)violation]);

        /// <summary>
        /// The message of the last recorded violation of <paramref name="violation"/>, or null
        /// when none was: what the kernel's WARN would have printed to the log.
        /// </summary>
        public string? LastMessage(ContractViolation violation) => Volatile.Read(ref _lastMessages[(int)violation]);

        /// <summary>
        /// Records a violation the kernel only WARNs about and carries on (WARN_ON_ONCE): counted,
        /// never thrown, so it cannot turn a clean unwind into a second exception.
        /// </summary>
        public void Warn(ContractViolation violation, string message)
        {
            Volatile.Write(ref _lastMessages[(int)violation], message);
            Interlocked.Increment(ref _counts[(int)violation]);
        }

        /// <summary>Records a violation; throws in checked mode.</summary>
        public void Report(ContractViolation violation, string message)
        {
            Volatile.Write(ref _lastMessages[(int)violation], message);
            Interlocked.Increment(ref _counts[(int)violation]);
            if (ThrowOnViolation)
            {
                throw new KvmContractViolationException(violation + ": " + message);
            }
        }
    }
}
