using System;
using System.Collections.Generic;
using System.Linq;

namespace ImagePs.Policy;

/// <summary>
/// One node of a parsed rule: oslo.policy's check tree. Leaves compare the caller's credentials
/// with the target (the image); <c>and</c>, <c>or</c> and <c>not</c> combine them; <c>rule:name</c>
/// evaluates another named rule.
/// </summary>
internal abstract class PolicyCheck
{
    public abstract bool Evaluate(PolicyEvaluation evaluation);

    /// <summary>The names this check refers to with <c>rule:name</c>, directly or inside its children.</summary>
    public virtual IEnumerable<string> RuleReferences => Enumerable.Empty<string>();
}

/// <summary><c>@</c> (always) and <c>!</c> (never); an empty rule is <c>@</c>.</summary>
internal sealed class ConstantCheck : PolicyCheck
{
    public static ConstantCheck Always { get; } = new(true);
    public static ConstantCheck Never { get; } = new(false);

    private readonly bool _value;

    private ConstantCheck(bool value) => _value = value;

    public override bool Evaluate(PolicyEvaluation evaluation) => _value;

    public override string ToString() => _value ? "@" : "!";
}

internal sealed class AndCheck : PolicyCheck
{
    private readonly IReadOnlyList<PolicyCheck> _checks;

    public AndCheck(IReadOnlyList<PolicyCheck> checks) => _checks = checks;

    public override bool Evaluate(PolicyEvaluation evaluation) => _checks.All(c => c.Evaluate(evaluation));

    public override IEnumerable<string> RuleReferences => _checks.SelectMany(c => c.RuleReferences);

    public override string ToString() => "(" + string.Join(" and ", _checks) + ")";
}

internal sealed class OrCheck : PolicyCheck
{
    private readonly IReadOnlyList<PolicyCheck> _checks;

    public OrCheck(IReadOnlyList<PolicyCheck> checks) => _checks = checks;

    public override bool Evaluate(PolicyEvaluation evaluation) => _checks.Any(c => c.Evaluate(evaluation));

    public override IEnumerable<string> RuleReferences => _checks.SelectMany(c => c.RuleReferences);

    public override string ToString() => "(" + string.Join(" or ", _checks) + ")";
}

internal sealed class NotCheck : PolicyCheck
{
    private readonly PolicyCheck _check;

    public NotCheck(PolicyCheck check) => _check = check;

    public override bool Evaluate(PolicyEvaluation evaluation) => !_check.Evaluate(evaluation);

    public override IEnumerable<string> RuleReferences => _check.RuleReferences;

    public override string ToString() => "not " + _check;
}

/// <summary><c>rule:name</c>: the result of another named rule.</summary>
internal sealed class RuleReferenceCheck : PolicyCheck
{
    public RuleReferenceCheck(string name) => Name = name;

    public string Name { get; }

    public override bool Evaluate(PolicyEvaluation evaluation) => evaluation.EvaluateRule(Name);

    public override IEnumerable<string> RuleReferences => new[] { Name };

    public override string ToString() => "rule:" + Name;
}

/// <summary><c>role:name</c>: the caller holds the role (case-insensitive, as oslo.policy).</summary>
internal sealed class RoleCheck : PolicyCheck
{
    private readonly PolicyTemplate _role;

    public RoleCheck(PolicyTemplate role) => _role = role;

    public override bool Evaluate(PolicyEvaluation evaluation)
    {
        var role = _role.Render(evaluation.Target);
        return role is not null && evaluation.Credentials.Roles.Any(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
    }

    public override string ToString() => "role:" + _role;
}

/// <summary>
/// <c>project_id:%(owner)s</c>, <c>is_admin:True</c>: one of the caller's credentials equals the
/// value (after putting the target's fields into it).
/// </summary>
internal sealed class CredentialCheck : PolicyCheck
{
    private readonly string _credential;
    private readonly PolicyTemplate _value;

    public CredentialCheck(string credential, PolicyTemplate value)
    {
        _credential = credential;
        _value = value;
    }

    public override bool Evaluate(PolicyEvaluation evaluation)
    {
        var value = _value.Render(evaluation.Target);
        return value is not null && evaluation.Credentials.Values(_credential).Any(v => string.Equals(v, value, StringComparison.Ordinal));
    }

    public override string ToString() => _credential + ":" + _value;
}

/// <summary><c>'public':%(visibility)s</c>: a literal equals a field of the target.</summary>
internal sealed class LiteralCheck : PolicyCheck
{
    private readonly string _literal;
    private readonly PolicyTemplate _value;

    public LiteralCheck(string literal, PolicyTemplate value)
    {
        _literal = literal;
        _value = value;
    }

    public override bool Evaluate(PolicyEvaluation evaluation) =>
        string.Equals(_value.Render(evaluation.Target), _literal, StringComparison.Ordinal);

    public override string ToString() => "'" + _literal + "':" + _value;
}
