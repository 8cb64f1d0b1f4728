using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A diagnostic a rule reported, kept apart from its compilation: descriptor, message
    /// arguments, properties, and each location as a span in the tree at some place in the
    /// compilation's list (a keystroke's compilation keeps the order). A later
    /// compilation that reuses a body's findings (<see cref="BodyResults"/>) makes it again in
    /// its own trees; a <see cref="Diagnostic"/> does not give its arguments back, so the rules
    /// create theirs through <see cref="Create"/>, which remembers them.
    /// </summary>
    internal sealed class DiagnosticRecipe
    {
        private static readonly ConditionalWeakTable<Diagnostic, object?[]> s_arguments = new ConditionalWeakTable<Diagnostic, object?[]>();

        private readonly DiagnosticDescriptor _descriptor;
        private readonly (int Tree, TextSpan Span)[] _locations;
        private readonly ImmutableDictionary<string, string?>? _properties;
        private readonly string[] _arguments;

        private DiagnosticRecipe(DiagnosticDescriptor descriptor, (int, TextSpan)[] locations, ImmutableDictionary<string, string?>? properties, string[] arguments)
        {
            _descriptor = descriptor;
            _locations = locations;
            _properties = properties;
            _arguments = arguments;
        }

        /// <summary>As <see cref="Diagnostic.Create(DiagnosticDescriptor, Location, IEnumerable{Location}, ImmutableDictionary{string, string}, object[])"/>, remembering the arguments.</summary>
        internal static Diagnostic Create(DiagnosticDescriptor descriptor, Location location, IEnumerable<Location>? additionalLocations, ImmutableDictionary<string, string?>? properties, params object?[] messageArgs)
        {
            var diagnostic = Diagnostic.Create(descriptor, location, additionalLocations, properties, messageArgs);
            s_arguments.Add(diagnostic, messageArgs);
            return diagnostic;
        }

        /// <summary>
        /// The recipe of a diagnostic made by <see cref="Create"/> whose locations are all in trees
        /// <paramref name="placeOf"/> knows (their places in the compilation) and whose arguments
        /// are all text; otherwise null.
        /// </summary>
        internal static DiagnosticRecipe? Of(Diagnostic diagnostic, System.Func<SyntaxTree, int> placeOf)
        {
            if (!s_arguments.TryGetValue(diagnostic, out var arguments) || diagnostic.Location.SourceTree is null)
            {
                return null;
            }

            var texts = new string[arguments.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                if (arguments[i] is not string text)
                {
                    return null;
                }

                texts[i] = text;
            }

            var locations = new (int, TextSpan)[1 + diagnostic.AdditionalLocations.Count];
            for (var i = 0; i < locations.Length; i++)
            {
                var location = i == 0 ? diagnostic.Location : diagnostic.AdditionalLocations[i - 1];
                if (location.SourceTree is not { } tree || placeOf(tree) is var place && place < 0)
                {
                    return null;
                }

                locations[i] = (place, location.SourceSpan);
            }

            return new DiagnosticRecipe(diagnostic.Descriptor, locations, diagnostic.Properties, texts);
        }

        /// <summary>
        /// The diagnostic again, in the trees <paramref name="place"/> gives for each location's
        /// place and span; null when one has none (the edit touched it).
        /// </summary>
        internal Diagnostic? Remake(System.Func<int, TextSpan, (SyntaxTree Tree, TextSpan Span)?> place)
        {
            Location? primary = null;
            var additional = new Location[_locations.Length - 1];
            for (var i = 0; i < _locations.Length; i++)
            {
                if (place(_locations[i].Tree, _locations[i].Span) is not { } at)
                {
                    return null;
                }

                var location = Location.Create(at.Tree, at.Span);
                if (i == 0)
                {
                    primary = location;
                }
                else
                {
                    additional[i - 1] = location;
                }
            }

            // Remembered too: the next compilation may reuse it in turn.
            return Create(_descriptor, primary!, additional, _properties, _arguments);
        }
    }
}
