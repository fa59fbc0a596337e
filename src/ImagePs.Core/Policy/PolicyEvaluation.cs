namespace ImagePs.Policy;

/// <summary>One evaluation of a rule: who asks, about what, and the rules <c>rule:name</c> refers to.</summary>
internal sealed class PolicyEvaluation
{
    private readonly PolicyRules _rules;

    public PolicyEvaluation(PolicyRules rules, PolicyCredentials credentials, PolicyTarget target)
    {
        _rules = rules;
        Credentials = credentials;
        Target = target;
    }

    public PolicyCredentials Credentials { get; }
    public PolicyTarget Target { get; }

    public bool EvaluateRule(string name) => _rules.TryGet(name) is { } rule && rule.Check.Evaluate(this);
}
