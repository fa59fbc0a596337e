using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ImagePs.Policy;

/// <summary>
/// Parses oslo.policy's rule language into a <see cref="PolicyCheck"/> tree:
/// <c>@</c>, <c>!</c>, <c>role:x</c>, <c>rule:name</c>, <c>is_admin:True</c>,
/// <c>project_id:%(project_id)s</c>, <c>'public':%(visibility)s</c>, combined with <c>not</c>
/// (binds tightest), <c>and</c>, <c>or</c> (loosest) and parentheses. Tokens are split on white
/// space and parentheses are peeled off their ends, exactly as oslo.policy does, so
/// <c>%(project_id)s</c> keeps its own parentheses.
///
/// Where oslo.policy quietly turns a rule it cannot read into "deny", this parser refuses it with a
/// reason and the character position: a typo in a policy file should be found when it is loaded.
/// </summary>
internal sealed class PolicyRuleParser
{
    /// <summary>The caller credentials a check may compare (oslo.context's policy values).</summary>
    public static IReadOnlyList<string> CredentialNames { get; } = new[] { "user_id", "project_id", "roles", "is_admin" };

    /// <summary>The deepest nesting of parentheses and <c>not</c> a rule may have: deeper ones would exhaust the stack.</summary>
    public const int MaxDepth = 100;

    private readonly List<Token> _tokens;
    private int _next;
    private int _depth;

    private PolicyRuleParser(List<Token> tokens) => _tokens = tokens;

    /// <summary>The check tree for <paramref name="rule"/>; the empty rule allows everyone, as in oslo.policy.</summary>
    public static PolicyCheck Parse(string rule)
    {
        if (rule.Length == 0) return ConstantCheck.Always;
        var tokens = Tokenize(rule);
        if (tokens.Count == 0) throw new PolicyRuleException(Messages.PolicyBlankRule, 0);
        var parser = new PolicyRuleParser(tokens);
        var check = parser.ParseOr();
        if (parser._next < tokens.Count)
        {
            var extra = tokens[parser._next];
            throw extra.Kind == TokenKind.RightParen
                ? new PolicyRuleException(Messages.PolicyUnmatchedClose, extra.Position)
                : new PolicyRuleException(string.Format(Messages.PolicyMissingOperator, extra.Text), extra.Position);
        }
        return check;
    }

    // --- grammar: or := and ('or' and)* ; and := unary ('and' unary)* ; unary := 'not' unary | atom -----

    private PolicyCheck ParseOr()
    {
        var checks = new List<PolicyCheck> { ParseAnd() };
        while (Peek(TokenKind.Or))
        {
            _next++;
            checks.Add(ParseAnd());
        }
        return checks.Count == 1 ? checks[0] : new OrCheck(checks);
    }

    private PolicyCheck ParseAnd()
    {
        var checks = new List<PolicyCheck> { ParseUnary() };
        while (Peek(TokenKind.And))
        {
            _next++;
            checks.Add(ParseUnary());
        }
        return checks.Count == 1 ? checks[0] : new AndCheck(checks);
    }

    private PolicyCheck ParseUnary()
    {
        if (!Peek(TokenKind.Not)) return ParseAtom();
        var token = _tokens[_next++];
        Enter(token);
        var check = new NotCheck(ParseUnary());
        _depth--;
        return check;
    }

    private PolicyCheck ParseAtom()
    {
        if (_next >= _tokens.Count)
        {
            var last = _tokens[_tokens.Count - 1];
            throw new PolicyRuleException(string.Format(Messages.PolicyMissingCheckAfter, last.Text), last.Position);
        }
        var token = _tokens[_next++];
        switch (token.Kind)
        {
            case TokenKind.Check:
                return ParseCheck(token.Text, token.Position);
            case TokenKind.LeftParen:
                if (Peek(TokenKind.RightParen)) throw new PolicyRuleException(Messages.PolicyEmptyParentheses, token.Position);
                Enter(token);
                var inner = ParseOr();
                if (!Peek(TokenKind.RightParen)) throw new PolicyRuleException(Messages.PolicyUnclosedParenthesis, token.Position);
                _next++;
                _depth--;
                return inner;
            case TokenKind.RightParen:
                throw new PolicyRuleException(Messages.PolicyUnexpectedClose, token.Position);
            default: // 'and' / 'or' where a check belongs
                throw new PolicyRuleException(string.Format(Messages.PolicyMissingCheckBefore, token.Text), token.Position);
        }
    }

    private void Enter(Token token)
    {
        if (++_depth > MaxDepth) throw new PolicyRuleException(string.Format(Messages.PolicyTooDeep, MaxDepth), token.Position);
    }

    private bool Peek(TokenKind kind) => _next < _tokens.Count && _tokens[_next].Kind == kind;

    // --- one check ---------------------------------------------------------------------------------

    private static PolicyCheck ParseCheck(string text, int position)
    {
        if (text == "@") return ConstantCheck.Always;
        if (text == "!") return ConstantCheck.Never;
        if (IsQuoted(text)) throw new PolicyRuleException(string.Format(Messages.PolicyQuotedString, text), position);

        var colon = text.IndexOf(':');
        if (colon < 0) throw new PolicyRuleException(string.Format(Messages.PolicyNotACheck, text), position);
        var kind = text.Substring(0, colon);
        var match = text.Substring(colon + 1);
        if (kind.Length == 0 || match.Length == 0) throw new PolicyRuleException(string.Format(Messages.PolicyNotACheck, text), position);
        var matchPosition = position + colon + 1;

        if (kind == "rule")
        {
            if (match.IndexOf('%') >= 0) throw new PolicyRuleException(string.Format(Messages.PolicyRuleNameTemplate, match), matchPosition);
            return new RuleReferenceCheck(match);
        }
        var template = PolicyTemplate.Parse(match, matchPosition);
        if (kind == "role") return new RoleCheck(template);
        if (Literal(kind) is { } literal) return new LiteralCheck(literal, template);
        if (CredentialNames.Contains(kind, StringComparer.Ordinal)) return new CredentialCheck(kind, template);
        throw new PolicyRuleException(string.Format(Messages.PolicyUnknownKind, kind, text, string.Join(", ", CredentialNames)), position);
    }

    /// <summary>
    /// A kind written as a Python literal ('public', "public", True, False, None, 42) is compared as
    /// the text Python would print for it; anything else names a credential.
    /// </summary>
    private static string? Literal(string kind)
    {
        if (IsQuoted(kind)) return kind.Substring(1, kind.Length - 2);
        if (kind is "True" or "False" or "None") return kind;
        if (long.TryParse(kind, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            return number.ToString(CultureInfo.InvariantCulture);
        return null;
    }

    private static bool IsQuoted(string text) =>
        text.Length >= 2 && (text[0] == '\'' || text[0] == '"') && text[text.Length - 1] == text[0];

    // --- tokens ------------------------------------------------------------------------------------

    private enum TokenKind
    {
        Check,
        And,
        Or,
        Not,
        LeftParen,
        RightParen,
    }

    private readonly struct Token
    {
        public Token(TokenKind kind, string text, int position)
        {
            Kind = kind;
            Text = text;
            Position = position;
        }

        public TokenKind Kind { get; }
        public string Text { get; }

        /// <summary>0-based character offset in the rule.</summary>
        public int Position { get; }
    }

    /// <summary>oslo.policy's tokenizer: white space separates; leading '(' and trailing ')' are their own tokens.</summary>
    private static List<Token> Tokenize(string rule)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < rule.Length)
        {
            if (char.IsWhiteSpace(rule[i]))
            {
                i++;
                continue;
            }
            var start = i;
            while (i < rule.Length && !char.IsWhiteSpace(rule[i])) i++;
            var end = i;

            while (start < end && rule[start] == '(') tokens.Add(new Token(TokenKind.LeftParen, "(", start++));
            var trailing = 0;
            while (end > start && rule[end - 1] == ')')
            {
                end--;
                trailing++;
            }
            if (end > start)
            {
                var text = rule.Substring(start, end - start);
                var kind = text.ToLowerInvariant() switch
                {
                    "and" => TokenKind.And,
                    "or" => TokenKind.Or,
                    "not" => TokenKind.Not,
                    _ => TokenKind.Check,
                };
                tokens.Add(new Token(kind, text, start));
            }
            for (var k = 0; k < trailing; k++) tokens.Add(new Token(TokenKind.RightParen, ")", end + k));
        }
        return tokens;
    }
}
