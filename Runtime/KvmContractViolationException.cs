using System;

namespace GfnGuard.Runtime
{
    /// <summary>Thrown when code breaks one of the contracts GfnGuard enforces (KVM0001..).</summary>
    public sealed class KvmContractViolationException : InvalidOperationException
    {
        public KvmContractViolationException()
        {
        }

        public KvmContractViolationException(string message)
            : base(message)
        {
        }

        public KvmContractViolationException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }
}
