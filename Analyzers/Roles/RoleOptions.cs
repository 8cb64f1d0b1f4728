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

        internal static readonly string[] Keys = { GfnRangeTypesKey, HvaPathMethodsKey, MmuLockMembersKey, ReclaimMethodsKey };

        internal static readonly RoleOptions Empty = new RoleOptions(
            ImmutableHashSet<string>.Empty, ImmutableHashSet<string>.Empty, ImmutableHashSet<string>.Empty, ImmutableHashSet<string>.Empty);

        private RoleOptions(ImmutableHashSet<string> gfnRangeTypes, ImmutableHashSet<string> hvaPathMethods, ImmutableHashSet<string> mmuLockMembers, ImmutableHashSet<string> reclaimMethods)
        {
            GfnRangeTypes = gfnRangeTypes;
            HvaPathMethods = hvaPathMethods;
            MmuLockMembers = mmuLockMembers;
            ReclaimMethods = reclaimMethods;
        }

        /// <summary>Type names (simple or namespace-qualified) that are gfn ranges.</summary>
        internal ImmutableHashSet<string> GfnRangeTypes { get; }

        /// <summary>Method names (simple or Type.Method) that are HVA-based paths.</summary>
        internal ImmutableHashSet<string> HvaPathMethods { get; }

        /// <summary>Field or property names (simple or Type.Member) that are mmu_lock.</summary>
        internal ImmutableHashSet<string> MmuLockMembers { get; }

        /// <summary>Method names (simple or Type.Method) that reclaim guest memory.</summary>
        internal ImmutableHashSet<string> ReclaimMethods { get; }

        /// <summary>The raw option values, which identify an option set (for caching).</summary>
        internal static string Fingerprint(AnalyzerConfigOptions options)
        {
            // Made only when a key is set: every tree is asked, and most set none.
            System.Text.StringBuilder? builder = null;
            foreach (var key in Keys)
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
            ImmutableHashSet<string> Get(string key) =>
                options.TryGetValue(key, out var value) ? ParseList(value) : ImmutableHashSet<string>.Empty;

            return new RoleOptions(Get(GfnRangeTypesKey), Get(HvaPathMethodsKey), Get(MmuLockMembersKey), Get(ReclaimMethodsKey));
        }

        /// <summary>True when <paramref name="names"/> holds the symbol's simple name or its Type.Member name.</summary>
        internal static bool Matches(ImmutableHashSet<string> names, Microsoft.CodeAnalysis.ISymbol symbol)
        {
            if (names.IsEmpty)
            {
                return false;
            }

            return names.Contains(symbol.Name)
                || (symbol.ContainingType is { } type && (names.Contains(type.Name + "." + symbol.Name)
                    || names.Contains(type.ToDisplayString(Microsoft.CodeAnalysis.SymbolDisplayFormat.CSharpErrorMessageFormat) + "." + symbol.Name)));
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
    }
}
