namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// The blocks a fixed point still has to visit, always taken lowest ordinal first (so a loop
    /// body settles before what follows it). A flag per block and the lowest flagged one: adding
    /// and taking allocate nothing, where a sorted set allocated a node per add.
    /// </summary>
    internal sealed class BlockWorklist
    {
        private readonly bool[] _pending;

        // No block below this one is pending.
        private int _lowest;

        internal BlockWorklist(int blocks)
        {
            _pending = new bool[blocks];
            _lowest = blocks;
        }

        internal int Count { get; private set; }

        internal void Add(int ordinal)
        {
            if (_pending[ordinal])
            {
                return;
            }

            _pending[ordinal] = true;
            Count++;
            if (ordinal < _lowest)
            {
                _lowest = ordinal;
            }
        }

        /// <summary>Takes the pending block of the lowest ordinal; only when <see cref="Count"/> is not zero.</summary>
        internal int TakeLowest()
        {
            while (!_pending[_lowest])
            {
                _lowest++;
            }

            var ordinal = _lowest;
            _pending[ordinal] = false;
            Count--;
            _lowest++;
            return ordinal;
        }
    }
}
