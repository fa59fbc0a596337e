using ImagePs.Errors;
using ImagePs.Settings;

namespace ImagePs.Policy;

/// <summary>The rules in force, applied to one caller: what the policy layer and the service ask.</summary>
internal sealed class PolicyEnforcer
{
    private readonly PolicyCredentials _credentials;

    public PolicyEnforcer(PolicyRules rules, CallerContext caller)
    {
        Rules = rules;
        Caller = caller;
        _credentials = PolicyCredentials.Of(caller);
    }

    public PolicyRules Rules { get; }
    public CallerContext Caller { get; }

    public bool Allows(string action, PolicyTarget target) => Rules.Allows(action, _credentials, target);

    public bool Allows(string action, Image image) => Allows(action, PolicyTarget.ForImage(image, Caller));

    /// <summary>Refuses with <c>PolicyDenied</c> naming the action unless the rule allows it.</summary>
    public void Enforce(string action, PolicyTarget target, object? subject)
    {
        if (!Allows(action, target)) throw ImageErrors.PolicyDenied(action, Caller, subject);
    }

    public void Enforce(string action, Image image) => Enforce(action, PolicyTarget.ForImage(image, Caller), image);
}
