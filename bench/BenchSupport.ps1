# Shared by the bench scripts (dot-sourced): medians, this process's memory, and the machine a
# figure was measured on (every figure is reported with its CPU and disk).

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)]
}

function Get-ProcessMemory([string] $Field) {
    # A /proc/<pid>/status field (VmRSS:, VmHWM:) of this process, in bytes; 0 where there is no /proc.
    if (-not (Test-Path "/proc/$PID/status")) { return 0 }
    $line = Get-Content "/proc/$PID/status" | Where-Object { $_.StartsWith($Field) }
    [long](($line -split '\s+')[1]) * 1KB
}

function Reset-PeakMemory {
    # Resets VmHWM (Linux) and returns the resident size to measure the peak growth from.
    if (Test-Path "/proc/$PID/clear_refs") { [IO.File]::WriteAllText("/proc/$PID/clear_refs", "5") }
    Get-ProcessMemory 'VmRSS:'
}

function Get-CpuName {
    $name = (Get-Content /proc/cpuinfo -ErrorAction Ignore | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '.*:\s*', ''
    if ($name) { $name } else { 'unknown CPU' }
}

function Get-DiskName([string] $Path) {
    # The filesystem type and the device it lives on (with the disk's model when lsblk knows it).
    $mount = @(& findmnt -no SOURCE,FSTYPE -T $Path 2>$null)
    if (-not $mount) { return 'unknown disk' }
    $device, $type = ($mount[0].Trim() -split '\s+', 2)
    $model = if ($device -like '/dev/*') { (& lsblk -ndo MODEL $device 2>$null | Select-Object -First 1) } else { $null }
    if ([string]::IsNullOrWhiteSpace($model)) { "$type on $device" } else { "$type on $device ($($model.Trim()))" }
}
