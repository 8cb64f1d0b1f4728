using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>
/// Damages source the way typing does: a token deleted, a token typed where it does not
/// belong, two tokens swapped, or the file cut off mid-statement.
/// </summary>
internal static class TokenMutator
{
    internal static string Mutate(string text, Random random)
    {
        var edits = 1 + random.Next(3);
        for (var i = 0; i < edits; i++)
        {
            text = MutateOnce(text, random);
        }

        return text;
    }

    private static string MutateOnce(string text, Random random)
    {
        var tokens = SyntaxFactory.ParseTokens(text).Where(t => t.Span.Length > 0).ToList();
        if (tokens.Count < 2)
        {
            return text;
        }

        var at = random.Next(tokens.Count - 1);
        var token = tokens[at].Span;
        switch (random.Next(4))
        {
            case 0: // delete
                return text.Remove(token.Start, token.Length);
            case 1: // insert a token from elsewhere in the file
                var other = tokens[random.Next(tokens.Count)];
                return text.Insert(token.Start, other.Text + " ");
            case 2: // swap with the next token
                var next = tokens[at + 1].Span;
                var builder = new StringBuilder(text);
                builder.Remove(next.Start, next.Length).Insert(next.Start, tokens[at].Text);
                builder.Remove(token.Start, token.Length).Insert(token.Start, tokens[at + 1].Text);
                return builder.ToString();
            default: // cut mid-statement, as an unsaved half-typed file is
                return text.Substring(0, token.End);
        }
    }
}
