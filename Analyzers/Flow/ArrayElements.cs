using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// Array elements as places (SPEC section 2: <c>ranges[0]</c>, and through a <c>ref</c> to
    /// the element): a path step <c>[0]</c> for a constant index, <c>[$i]</c> for a local or
    /// parameter index. No identifier starts with '[', so no member a port declares collides.
    /// A constant index is an element for good; a variable one only until the index is written
    /// or the block ends, and a step through one index forgets what another index of the same
    /// array, which may be the same element, was known to hold.
    /// </summary>
    internal static class ArrayElements
    {
        private const string VariableMark = "[$";

        /// <summary><see cref="IsAtVariableIndex"/> as a delegate made once: it is asked at every block.</summary>
        internal static readonly System.Func<FlowLocation, bool> AtVariableIndex = IsAtVariableIndex;

        /// <summary>The path step for an index, or null when the index is neither a constant nor a variable.</summary>
        internal static string? KeyOf(IOperation index)
        {
            if (index.ConstantValue is { HasValue: true, Value: { } constant } && constant is int or long or uint or ulong or short or ushort or byte or sbyte)
            {
                return "[" + System.Convert.ToString(constant, System.Globalization.CultureInfo.InvariantCulture) + "]";
            }

            return IndexName(index) is { } name ? VariableMark + name + "]" : null;
        }

        /// <summary>The local or parameter an index (or a write's target) names, or null.</summary>
        internal static string? IndexName(IOperation operation)
        {
            while (operation is IConversionOperation { IsImplicit: true } conversion)
            {
                operation = conversion.Operand;
            }

            return operation switch
            {
                ILocalReferenceOperation local => local.Local.Name,
                IParameterReferenceOperation parameter => parameter.Parameter.Name,
                _ => null,
            };
        }

        /// <summary>An indexer that returns its element by reference (Span's), with one index: its element is a place like an array's.</summary>
        internal static bool IsRefIndexer(IOperation operation) =>
            operation is IPropertyReferenceOperation { Property: { IsIndexer: true, ReturnsByRef: true } or { IsIndexer: true, ReturnsByRefReadonly: true }, Instance: not null, Arguments.Length: 1 };

        /// <summary>The array (or span) and the index of an element reference, or nulls.</summary>
        internal static (IOperation? Collection, IOperation? Index) ElementOf(IOperation operation) => operation switch
        {
            IArrayElementReferenceOperation { Indices.Length: 1 } element => (element.ArrayReference, element.Indices[0]),
            IPropertyReferenceOperation property when IsRefIndexer(property) => (property.Instance, property.Arguments[0].Value),
            _ => (null, null),
        };

        /// <summary>A place at or below an array element.</summary>
        internal static bool IsElement(FlowLocation place) => place.Path.IndexOf('[') >= 0;

        /// <summary>A place at or below an element at a variable index.</summary>
        internal static bool IsAtVariableIndex(FlowLocation place) => place.Path.IndexOf(VariableMark, System.StringComparison.Ordinal) >= 0;

        /// <summary>A place at or below an element indexed by the variable <paramref name="name"/>.</summary>
        internal static bool IsIndexedBy(FlowLocation place, string name) =>
            place.Path.IndexOf(VariableMark + name + "]", System.StringComparison.Ordinal) >= 0;

        /// <summary>
        /// Is <paramref name="other"/> at or below another element of <paramref name="array"/> that
        /// may be the one at <paramref name="key"/>? Two constants are two elements; a variable
        /// index may be any.
        /// </summary>
        internal static bool MayAlias(FlowLocation other, FlowLocation array, string key)
        {
            if (!FlowLocation.RootEquals(other.Root, array.Root))
            {
                return false;
            }

            var prefix = array.Path.Length == 0 ? string.Empty : array.Path + ".";
            if (!other.Path.StartsWith(prefix + "[", System.StringComparison.Ordinal))
            {
                return false;
            }

            var step = other.Path.Substring(prefix.Length);
            var end = step.IndexOf(']');
            step = end >= 0 ? step.Substring(0, end + 1) : step;
            return step != key && (key.StartsWith(VariableMark, System.StringComparison.Ordinal) || step.StartsWith(VariableMark, System.StringComparison.Ordinal));
        }
    }
}
