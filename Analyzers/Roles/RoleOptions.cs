using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// Extra role names a user declares in .editorconfig, e.g.
    /// <c>gfnguard.gfn_range_types = MyRange, Ns.OtherRange</c>: one set per role of the
    /// <see cref="RoleCatalog"/> that has an option key.
    /// </summary>
    internal sealed class RoleOptions
    {
        internal static readonly RoleOptions Empty = new RoleOptions(ImmutableDictionary<RoleNames, ImmutableHashSet<string>>.Empty);

        private readonly ImmutableDictionary<RoleNames, ImmutableHashSet<string>> _names;

        private RoleOptions(ImmutableDictionary<RoleNames, ImmutableHashSet<string>> names)
        {
            _names = names;
        }

        /// <summary>The names (simple, Type.Member, or namespace-qualified) the options add to <paramref name="role"/>.</summary>
        internal ImmutableHashSet<string> NamesFor(RoleNames role) =>
            _names.TryGetValue(role, out var names) ? names : ImmutableHashSet<string>.Empty;

        /// <summary>The raw option values, which identify an option set (for caching); empty when no key is set.</summary>
        internal static string Fingerprint(AnalyzerConfigOptions options)
        {
            // Made only when a key is set: every tree is asked, and most set none.
            System.Text.StringBuilder? builder = null;
            foreach (var key in RoleCatalog.OptionKeys)
            {
                if (options.TryGetValue(key, out var value))
                {
                    (builder ??= new System.Text.StringBuilder()).Append(key).Append('=').Append(value).Append('\n');
                }
            }

            return builder?.ToString() ?? string.Empty;
        }

        internal static RoleOptions Read(AnalyzerConfigOptions options)
        {
            var names = ImmutableDictionary.CreateBuilder<RoleNames, ImmutableHashSet<string>>();
            foreach (var role in RoleCatalog.All)
            {
                if (role.OptionKey is { } key && options.TryGetValue(key, out var value) && ParseList(value) is { IsEmpty: false } list)
                {
                    names[role] = list;
                }
            }

            return names.Count == 0 ? Empty : new RoleOptions(names.ToImmutable());
        }

        /// <summary>True when the options add the symbol to <paramref name="role"/>: by simple name, Type.Member, or Namespace.Type.Member.</summary>
        internal bool Adds(RoleNames role, ISymbol symbol) => Matches(NamesFor(role), symbol);

        /// <summary>True when <paramref name="names"/> holds the symbol's simple name or its Type.Member name.</summary>
        internal static bool Matches(ImmutableHashSet<string> names, ISymbol symbol)
        {
            if (names.IsEmpty)
            {
                return false;
            }

            return names.Contains(symbol.Name)
                || (symbol.ContainingType is { } type && (names.Contains(type.Name + "." + symbol.Name)
                    || names.Contains(type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) + "." + symbol.Name)));
        }

        /// <summary>
        /// Parses a comma-separated list of names. (A ';' would start an .editorconfig comment, so
        /// the compiler has already cut the value there; one in a value from elsewhere separates too.)
        /// </summary>
        internal static ImmutableHashSet<string> ParseList(string value)
        {
            var builder = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
            foreach (var part in value.Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var name = part.Trim();
                if (name.StartsWith("global::", StringComparison.Ordinal))
                {
                    name = name.Substring("global::".Length);
                }

                if (name.Length > 0)
                {
                    builder.Add(name);
                }
            }

            return builder.ToImmutable();
        }

        /// <summary>The keys of <paramref name="options"/> that start <c>gfnguard.</c> but are none of GfnGuard's.</summary>
        internal static IEnumerable<string> UnknownKeys(AnalyzerConfigOptions options)
        {
            IEnumerable<string> keys;
            try
            {
                keys = options.Keys;
            }
            catch (Exception e) when (e is NotImplementedException or NotSupportedException)
            {
                // A host whose options cannot list their keys: nothing to check, nothing to report.
                yield break;
            }

            foreach (var key in keys)
            {
                if (key.StartsWith(RoleCatalog.OptionPrefix, StringComparison.OrdinalIgnoreCase) && !IsKnownKey(key))
                {
                    yield return key;
                }
            }
        }

        private static bool IsKnownKey(string key)
        {
            foreach (var known in RoleCatalog.OptionKeys)
            {
                if (string.Equals(known, key, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The known key closest to <paramref name="key"/> (fewest edits), for the KVM0900 message.</summary>
        internal static string ClosestKey(string key)
        {
            var best = RoleCatalog.OptionKeys[0];
            var bestDistance = int.MaxValue;
            foreach (var known in RoleCatalog.OptionKeys)
            {
                var distance = EditDistance(key.ToLowerInvariant(), known);
                if (distance < bestDistance)
                {
                    best = known;
                    bestDistance = distance;
                }
            }

            return best;
        }

        /// <summary>Levenshtein distance, two rows.</summary>
        private static int EditDistance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
                }

                (previous, current) = (current, previous);
            }

            return previous[b.Length];
        }
    }
}
