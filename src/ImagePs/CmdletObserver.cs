using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>Forwards the core's warnings and progress notes to the cmdlet's streams.</summary>
internal sealed class CmdletObserver : IOperationObserver
{
    private readonly Cmdlet _cmdlet;

    public CmdletObserver(Cmdlet cmdlet) => _cmdlet = cmdlet;

    public void Warning(string message) => _cmdlet.WriteWarning(message);

    public void Verbose(string message) => _cmdlet.WriteVerbose(message);
}
