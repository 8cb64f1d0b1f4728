using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// Reading a body from its source text instead of its tokens. The gate only needs a
    /// superset of what the tokens say (a name too many costs an analysis, a name missed skips
    /// one), and the text gives that cheaply: every identifier token is a maximal run of
    /// identifier characters, or the tail of a run that starts as a number. Names in comments,
    /// strings and disabled code come along; that only makes the gate let more through. Where
    /// the text could hide a name from this reading (a syntax error, a <c>\u</c> escape, a
    /// formatting character in a name, a surrogate pair) it declines, and the tokens are read
    /// instead.
    /// Reserved keywords are left out, as the tokens leave them out, unless written <c>@if</c>.
    /// </summary>
    internal sealed partial class BodySummary
    {
        [ThreadStatic]
        private static NameTable? t_names;

        [ThreadStatic]
        private static char[]? t_buffer;

        /// <summary>
        /// Reads <paramref name="part"/> from <paramref name="text"/>, or returns false (having read
        /// nothing wrong) when only the tokens can be trusted. The names go to
        /// <paramref name="seen"/>, or, given a <paramref name="filter"/>, only into the filter,
        /// reserved keywords and all (the filter only has to hold a superset).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(HotLoop.Optimized)]
        private bool TryReadText(SourceText text, SyntaxNode part, HashSet<string>? seen, NameFilter? filter)
        {
            if (part.ContainsDiagnostics)
            {
                return false;
            }

            var length = part.Span.Length;
            var chars = t_buffer;
            if (chars is null || chars.Length < length)
            {
                chars = t_buffer = new char[Math.Max(length, 4096)];
            }

            text.CopyTo(part.Span.Start, chars, 0, length);
            var names = t_names ??= new NameTable();
            names.BeginScan();
            var i = 0;
            while (i < length)
            {
                var c = chars[i];
                if (c < 0x80)
                {
                    var kind = s_ascii[c];
                    if (kind == Other)
                    {
                        i++;
                        continue;
                    }

                    if (kind == Backslash)
                    {
                        if (i + 1 < length && chars[i + 1] is 'u' or 'U')
                        {
                            return false;
                        }

                        i++;
                        continue;
                    }
                }
                else if (char.IsSurrogate(c))
                {
                    return false;
                }

                if (IsNameStart(c))
                {
                    var start = i;
                    var ascii = c < 0x80;
                    var hash = NameTable.Extend(NameTable.EmptyHash, c);
                    while (++i < length)
                    {
                        var d = chars[i];
                        if (d < 0x80)
                        {
                            if (s_ascii[d] < NameStart)
                            {
                                break;
                            }
                        }
                        else if (SyntaxFacts.IsIdentifierPartCharacter(d))
                        {
                            ascii = false;
                        }
                        else
                        {
                            break;
                        }

                        hash = NameTable.Extend(hash, d);
                    }

                    if (!ascii && HasFormattingCharacter(chars, start, i))
                    {
                        return false;
                    }

                    if (filter is not null)
                    {
                        filter.AddName(chars, start, i - start, hash);
                        if (i - start == 3 && chars[start] == 'n' && chars[start + 1] == 'e' && chars[start + 2] == 'w' && (start == 0 || chars[start - 1] != '@'))
                        {
                            ReadCreation(chars, i, length, names);
                        }

                        continue;
                    }

                    // A reserved keyword is never a name, unless written @if.
                    var name = names.Meet(chars, start, i - start, hash, out var reserved, out var first);
                    if (!reserved)
                    {
                        if (first)
                        {
                            seen!.Add(name);
                        }
                    }
                    else if (start > 0 && chars[start - 1] == '@')
                    {
                        seen!.Add(name);
                    }
                    else if (name == "new")
                    {
                        ReadCreation(chars, i, length, names);
                    }
                }
                else if (c is >= '0' and <= '9')
                {
                    // A number. In code with no errors no name follows one without a break, but
                    // every tail from a letter on is kept anyway: the tokens could hold no other.
                    var start = i;
                    while (++i < length && IsNamePart(chars[i]))
                    {
                    }

                    for (var tail = start + 1; tail < i; tail++)
                    {
                        if (!IsNameStart(chars[tail]))
                        {
                            continue;
                        }

                        if (filter is not null)
                        {
                            var hash = NameTable.EmptyHash;
                            for (var k = tail; k < i; k++)
                            {
                                hash = NameTable.Extend(hash, chars[k]);
                            }

                            filter.AddName(chars, tail, i - tail, hash);
                        }
                        else if (names.Get(chars, tail, i - tail, out var reserved) is var name && !reserved)
                        {
                            seen!.Add(name);
                        }
                    }
                }
                else
                {
                    i++;
                }
            }

            return true;
        }

        /// <summary>
        /// After a <c>new</c> at <paramref name="i"/>: records the object creation it begins, as
        /// the token reading would, or a target-typed one when the text is not plain enough to
        /// tell (the gate then treats the body as able to make any range).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(HotLoop.Optimized)]
        private void ReadCreation(char[] chars, int i, int length, NameTable names)
        {
            i = SkipSpace(chars, i, length);
            if (i < length && chars[i] is '[' or '{')
            {
                return; // an array, or an anonymous object
            }

            string? type = null;
            while (true)
            {
                if (i < length && chars[i] == '@')
                {
                    i++;
                }

                if (i >= length || !IsNameStart(chars[i]))
                {
                    // new(...), a tuple type, a comment: assume the worst.
                    HasImplicitCreation = true;
                    return;
                }

                var start = i;
                while (++i < length && IsNamePart(chars[i]))
                {
                }

                type = names.Get(chars, start, i - start, out _);
                i = SkipSpace(chars, i, length);
                if (i < length && chars[i] == '<')
                {
                    i = SkipTypeArguments(chars, i, length);
                    if (i < 0)
                    {
                        HasImplicitCreation = true;
                        return;
                    }

                    i = SkipSpace(chars, i, length);
                }

                if (i < length && chars[i] == '.')
                {
                    i = SkipSpace(chars, i + 1, length);
                }
                else if (i + 1 < length && chars[i] == ':' && chars[i + 1] == ':')
                {
                    i = SkipSpace(chars, i + 2, length);
                }
                else
                {
                    break;
                }
            }

            if (i < length && chars[i] == '?')
            {
                i = SkipSpace(chars, i + 1, length);
            }

            if (i < length && chars[i] == '[')
            {
                return; // an array of that type
            }

            // With arguments unless plainly "()" or an initializer alone; "with" is the safe side.
            var withArguments = i >= length
                || (chars[i] == '(' && SkipSpace(chars, i + 1, length) is var close && !(close < length && chars[close] == ')'))
                || chars[i] is not ('(' or '{');
            (_creations ??= new List<(string, bool)>()).Add((type, withArguments));
        }

        /// <summary>Past the type argument list that opens at <paramref name="i"/>, or -1 when it does not close before the statement could end.</summary>
        private static int SkipTypeArguments(char[] chars, int i, int length)
        {
            var depth = 0;
            for (; i < length; i++)
            {
                switch (chars[i])
                {
                    case '<':
                        depth++;
                        break;
                    case '>':
                        if (--depth == 0)
                        {
                            return i + 1;
                        }

                        break;
                    case ';' or '{' or '}' or '=':
                        return -1;
                }
            }

            return -1;
        }

        private static int SkipSpace(char[] chars, int i, int length)
        {
            while (i < length && chars[i] is ' ' or '\t' or '\r' or '\n')
            {
                i++;
            }

            return i;
        }

        // What an ASCII character can be to the scan: most are none of these and cost one look-up.
        private const byte Other = 0;
        private const byte Backslash = 1;
        private const byte NameStart = 2; // this and the kinds after it can continue a name
        private const byte Digit = 3;

        private static readonly byte[] s_ascii = AsciiKinds();

        private static byte[] AsciiKinds()
        {
            var kinds = new byte[0x80];
            for (var c = 'a'; c <= 'z'; c++)
            {
                kinds[c] = NameStart;
                kinds[char.ToUpperInvariant(c)] = NameStart;
            }

            kinds['_'] = NameStart;
            for (var c = '0'; c <= '9'; c++)
            {
                kinds[c] = Digit;
            }

            kinds['\\'] = Backslash;
            return kinds;
        }

        private static bool IsNameStart(char c) =>
            c < 0x80 ? s_ascii[c] == NameStart : SyntaxFacts.IsIdentifierStartCharacter(c);

        private static bool IsNamePart(char c) =>
            c < 0x80 ? s_ascii[c] >= NameStart : SyntaxFacts.IsIdentifierPartCharacter(c);

        /// <summary>A formatting character (Cf) in a name: the lexer leaves it out of the name's value, so only the tokens read it right.</summary>
        private static bool HasFormattingCharacter(char[] chars, int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                if (chars[i] >= 0x80 && CharUnicodeInfo.GetUnicodeCategory(chars[i]) == UnicodeCategory.Format)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
