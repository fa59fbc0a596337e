using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImagePs.Errors;

namespace ImagePs.Policy;

/// <summary>One named rule, its text, its parsed check, and where it was written.</summary>
internal sealed class PolicyRule
{
    public PolicyRule(string name, string text, PolicyCheck check, int? line)
    {
        Name = name;
        Text = text;
        Check = check;
        Line = line;
    }

    public string Name { get; }
    public string Text { get; }
    public PolicyCheck Check { get; }

    /// <summary>The policy file's line; null for a Glance default.</summary>
    public int? Line { get; }
}

/// <summary>
/// The rules in force: Glance's defaults, each replaced by the policy file's rule of the same name
/// (oslo.policy's overlay). Every rule is parsed when loaded, every <c>rule:name</c> must name a rule
/// that exists and rules may not refer to each other in a loop: a broken file stops the command with
/// <c>InvalidPolicy</c> naming the line and the rule, instead of denying quietly as oslo.policy does.
/// </summary>
internal sealed class PolicyRules
{
    /// <summary>The longest chain of <c>rule:</c> references allowed: longer ones would exhaust the stack when checked or evaluated.</summary>
    public const int MaxChain = 100;

    private readonly Dictionary<string, PolicyRule> _rules;

    private PolicyRules(Dictionary<string, PolicyRule> rules, string? path)
    {
        _rules = rules;
        Path = path;
    }

    /// <summary>The policy file these rules came from; null when only defaults are in force.</summary>
    public string? Path { get; }

    public IEnumerable<PolicyRule> Rules => _rules.Values;

    public static PolicyRules Defaults { get; } = Build(Array.Empty<PolicyFileEntry>(), null);

    /// <summary>Glance's defaults overlaid with the file at <paramref name="path"/> (when given).</summary>
    public static PolicyRules Load(string? path)
    {
        if (path is null) return Defaults;
        return Build(PolicyFileReader.Read(path), path);
    }

    /// <summary>Defaults overlaid with <paramref name="entries"/>; <paramref name="path"/> names them in errors.</summary>
    public static PolicyRules Build(IEnumerable<PolicyFileEntry> entries, string? path)
    {
        var rules = new Dictionary<string, PolicyRule>(StringComparer.Ordinal);
        foreach (var rule in GlanceDefaultPolicy.Rules)
            rules[rule.Key] = new PolicyRule(rule.Key, rule.Value, PolicyRuleParser.Parse(rule.Value), null);

        foreach (var entry in entries)
        {
            PolicyCheck check;
            try
            {
                check = PolicyRuleParser.Parse(entry.Text);
            }
            catch (PolicyRuleException e)
            {
                throw ImageErrors.InvalidPolicy(path ?? "", string.Format(Messages.PolicyRuleInvalid, entry.Line, entry.Name, e.Message, e.Position, entry.Text));
            }
            rules[entry.Name] = new PolicyRule(entry.Name, entry.Text, check, entry.Line);
        }

        var result = new PolicyRules(rules, path);
        result.CheckReferences();
        return result;
    }

    public PolicyRule? TryGet(string name) => _rules.TryGetValue(name, out var rule) ? rule : null;

    /// <summary>True when rule <paramref name="action"/> allows the caller on the target; an undefined action falls back to rule <c>default</c>.</summary>
    public bool Allows(string action, PolicyCredentials credentials, PolicyTarget target)
    {
        var rule = TryGet(action) ?? TryGet("default");
        return rule is not null && rule.Check.Evaluate(new PolicyEvaluation(this, credentials, target));
    }

    private void CheckReferences()
    {
        foreach (var rule in _rules.Values)
        {
            foreach (var name in rule.Check.RuleReferences)
            {
                if (!_rules.ContainsKey(name))
                    throw ImageErrors.InvalidPolicy(Path ?? "", string.Format(Messages.PolicyUnknownRule, Where(rule), rule.Name, name));
            }
        }

        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: being visited, true: done
        var trail = new List<string>();
        foreach (var name in _rules.Keys) Visit(name, state, trail);
    }

    private void Visit(string name, Dictionary<string, bool> state, List<string> trail)
    {
        if (state.TryGetValue(name, out var done))
        {
            if (done) return;
            var loop = trail.Skip(trail.IndexOf(name)).Concat(new[] { name });
            var first = _rules[name];
            throw ImageErrors.InvalidPolicy(Path ?? "", string.Format(Messages.PolicyRuleLoop, Where(first), string.Join(" -> ", loop)));
        }
        if (trail.Count >= MaxChain)
        {
            var start = _rules[trail[0]];
            throw ImageErrors.InvalidPolicy(Path ?? "", string.Format(Messages.PolicyChainTooLong, Where(start), start.Name, MaxChain));
        }
        state[name] = false;
        trail.Add(name);
        foreach (var reference in _rules[name].Check.RuleReferences.Distinct()) Visit(reference, state, trail);
        trail.RemoveAt(trail.Count - 1);
        state[name] = true;
    }

    private static string Where(PolicyRule rule) =>
        rule.Line is { } line ? string.Format(Messages.PolicyLine, line) : Messages.PolicyDefaultRule;
}

/// <summary>One <c>name: rule</c> line of a policy file.</summary>
internal sealed class PolicyFileEntry
{
    public PolicyFileEntry(string name, string text, int line)
    {
        Name = name;
        Text = text;
        Line = line;
    }

    public string Name { get; }
    public string Text { get; }
    public int Line { get; }
}
