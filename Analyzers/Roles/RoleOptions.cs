using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// Extra role names a user declares in .editorconfig, e.g.
    /// <c>gfnguard.gfn_range_types = MyRange, Ns.OtherRange</c>.
    /// </summary>
    internal sealed class RoleOptions
    {
        internal const string GfnRangeTypesKey = "gfnguard.gfn_range_types";
        internal const string HvaPathMethodsKey = "gfnguard.hva_path_methods";
        internal const string MmuLockMembersKey = "gfnguard.mmu_lock_members";
        internal const string ReclaimMethodsKey = "gfnguard.reclaim_methods";

        internal static readonly RoleOptions Empty = new RoleOptions(ImmutableHashSet<string>.Empty);

        private RoleOptions(ImmutableHashSet<string> gfnRangeTypes)
        {
            GfnRangeTypes = gfnRangeTypes;
        }

        /// <summary>Type names (simple or namespace-qualified) that are gfn ranges.</summary>
        internal ImmutableHashSet<string> GfnRangeTypes { get; }

        internal static RoleOptions Read(AnalyzerConfigOptions options)
        {
            if (!options.TryGetValue(GfnRangeTypesKey, out var rangeTypes))
            {
                return Empty;
            }

            return new RoleOptions(ParseList(rangeTypes));
        }

        /// <summary>Parses a comma- or semicolon-separated list of names.</summary>
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
    }
}
