using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// The names of a compilation's methods whose bodies spell one of the seeds, or the name of
    /// such a method, transitively: the gate's answer to "could a method of this name reach a
    /// lock, a reclaim, a zap, a flush or a flag store?". Followed back through the speller index
    /// of each tree that spells the name at all, so the cost is in the names found.
    /// </summary>
    /// <remarks>
    /// A keystroke makes a compilation that shares every tree but one with the one before it. A
    /// closure can then grow from the earlier one instead of being found again over every tree:
    /// what a tree both compilations hold spelled before, it spells now, so only the names nobody
    /// followed (new seeds) are followed over every tree, and the names already known are looked
    /// up in the new trees alone. A name the earlier compilation found and this one would not
    /// (its speller was edited away) stays: the gate only turns bodies away, and a name too many
    /// costs a body analysed, never a wrong answer. So when the seeds are the earlier closure's and
    /// the new trees add no name, the closure is the earlier one itself: the gate then sees the
    /// same sets, by reference, without copying or comparing tens of thousands of names.
    /// </remarks>
    internal sealed class NameClosure
    {
        private HashSet<string>? _withSeeds;

        private NameClosure(HashSet<string> seeds, HashSet<string> found)
        {
            Seeds = seeds;
            Found = found;
        }

        /// <summary>The names it started from.</summary>
        internal HashSet<string> Seeds { get; }

        /// <summary>The methods found to spell a seed or a found name, transitively (not the seeds themselves).</summary>
        internal HashSet<string> Found { get; }

        /// <summary>
        /// The found names and the seeds, made at the first ask (the flag closure's never is).
        /// Read only, like <see cref="Found"/>: a later closure may be this one, and then the
        /// later gate gets this same set.
        /// </summary>
        internal HashSet<string> WithSeeds => LazyInitializer.EnsureInitialized(ref _withSeeds, () =>
        {
            var all = new HashSet<string>(Found, System.StringComparer.Ordinal);
            all.UnionWith(Seeds);
            return all;
        })!;

        /// <summary>
        /// The closure of <paramref name="seeds"/> over <paramref name="trees"/>, grown from
        /// <paramref name="previous"/> (computed over <paramref name="previousTrees"/>) when given.
        /// </summary>
        internal static NameClosure Compute(
            List<(SyntaxTree Tree, TreeNames Names)> trees,
            HashSet<string> seeds,
            NameClosure? previous,
            WeakTreeSet? previousTrees,
            CancellationToken cancellationToken)
        {
            var grown = previous is not null && previousTrees is not null;
            var sameSeeds = grown && seeds.SetEquals(previous!.Seeds);

            // A name is known when it is a seed or found. Grown, found is the earlier closure's own
            // set until a name is added (copying a set of the same comparer copies its buckets,
            // without hashing a name).
            var found = grown ? previous!.Found : new HashSet<string>(System.StringComparer.Ordinal);
            var copied = !grown;
            var pending = new Queue<string>();
            if (!grown)
            {
                foreach (var seed in seeds)
                {
                    pending.Enqueue(seed);
                }
            }
            else
            {
                foreach (var seed in seeds)
                {
                    if (!previous!.Seeds.Contains(seed) && !previous.Found.Contains(seed))
                    {
                        pending.Enqueue(seed);
                    }
                }

                // Every name already known, in the trees the earlier compilation did not have:
                // read from the new tree's own index (the identifiers its bodies spell, a few
                // thousand), not by asking it about every known name (tens of thousands at 500
                // files). A name found on the way is also followed below, which finds nothing new.
                foreach (var (tree, _) in trees)
                {
                    if (previousTrees!.Contains(tree))
                    {
                        continue;
                    }

                    var index = TreeRoleIndex.For(tree, cancellationToken);
                    foreach (var identifier in index.SpelledIdentifiers)
                    {
                        if (seeds.Contains(identifier) || found.Contains(identifier))
                        {
                            AddSpellers(tree, identifier);
                        }
                    }
                }
            }

            while (pending.Count > 0)
            {
                var name = pending.Dequeue();
                var hash = NameFilter.Hash(name);
                foreach (var (tree, names) in trees)
                {
                    if (names.Spells(hash))
                    {
                        AddSpellers(tree, name);
                    }
                }
            }

            return sameSeeds && !copied
                ? previous!
                : new NameClosure(new HashSet<string>(seeds, System.StringComparer.Ordinal), copied ? found : new HashSet<string>(found, System.StringComparer.Ordinal));

            void AddSpellers(SyntaxTree tree, string name)
            {
                foreach (var speller in TreeRoleIndex.For(tree, cancellationToken).SpellersOf(name))
                {
                    if (found.Contains(speller))
                    {
                        continue;
                    }

                    if (!copied)
                    {
                        found = new HashSet<string>(found, System.StringComparer.Ordinal);
                        copied = true;
                    }

                    found.Add(speller);
                    if (!seeds.Contains(speller))
                    {
                        pending.Enqueue(speller);
                    }
                }
            }
        }
    }
}
