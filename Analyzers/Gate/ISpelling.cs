using System.Collections.Generic;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// What the <see cref="SyntaxGate"/> asks of a piece of source, a body (<see cref="BodySummary"/>,
    /// exact) or a whole tree (<see cref="TreeNames"/>, a superset): which names it spells and
    /// what it constructs. The gate's predicates only grow with the answers, so a superset
    /// never turns away what the exact answer would let through.
    /// </summary>
    internal interface ISpelling
    {
        /// <summary>Whether it spells any of <paramref name="names"/> (for a superset: may spell).</summary>
        bool SpellsAny(HashSet<string> names);

        /// <summary>A target-typed <c>new(...)</c>, whose type syntax cannot tell.</summary>
        bool HasImplicitCreation { get; }

        /// <summary>Types constructed with <c>new T(...)</c> or <c>new T { }</c>: the last name, and whether arguments were given.</summary>
        IReadOnlyList<(string Type, bool WithArguments)> Creations { get; }
    }
}
