using System;

namespace GfnGuard.Runtime
{
    /// <summary>Thrown when code breaks one of the contracts GfnGuard enforces (KVM0001..).</summary>
    public sealed class KvmContractViolationException : InvalidOperationException
    {
        /// <summary>A violation with no message.</summary>
        public KvmContractViolationException()
        {
        }

        /// <summary>A violation; the message names the contract and where it broke.</summary>
        public KvmContractViolationException(string message)
            : base(message)
        {
        }

        /// <summary>A violation caused by <paramref name="innerException"/>.</summary>
        public KvmContractViolationException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }
}
