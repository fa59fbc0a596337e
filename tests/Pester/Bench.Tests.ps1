# Every benchmark under bench/ runs as the README says, once, at a tiny size: a smoke run that proves
# the scripts work against the module as built. No figure is asserted (these machines are shared and
# noisy); each script's own table is checked for the rows it promises.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $script:BenchRoot = Join-Path $RepoRoot 'bench'
    & dotnet build (Join-Path $BenchRoot 'ImagePs.Bench/ImagePs.Bench.csproj') -c Release --nologo -v quiet | Out-Null
    if ($LASTEXITCODE) { throw 'bench/ImagePs.Bench did not build.' }

    function Invoke-Bench {
        # Runs a bench script in a fresh pwsh (as a user would) and returns its output as one string.
        param([Parameter(Mandatory)] [string] $Script, [string[]] $Arguments = @())
        $work = Join-Path $TestDrive ('bench-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $work | Out-Null
        $output = & (Get-PwshPath) -NoProfile -NonInteractive -File (Join-Path $BenchRoot $Script) -NoBuild @Arguments 2>&1 | Out-String
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output; Work = $work }
    }
}

Describe 'bench/<_> runs as documented' -ForEach @('Upload.ps1', 'Inspect.ps1', 'Catalog.ps1', 'S3Upload.ps1', 'TestImage.ps1', 'Import.ps1') {
    It 'runs to the end at a tiny size and reports its rows' {
        $script = $_
        switch ($script) {
            'Upload.ps1' {
                $run = Invoke-Bench $script @('-SizeMiB', '4', '-Runs', '1', '-WorkFolder', (Join-Path $TestDrive 'upload'))
                foreach ($row in 'openssl dgst -md5', 'Send-ImageData (cmdlet)', 'FileSystemImageStore.Add (core)') { $run.Output | Should -Match ([regex]::Escape($row)) }
                Join-Path $TestDrive 'upload' | Should -Not -Exist -Because 'the bench removes its work folder'
            }
            'Inspect.ps1' {
                $run = Invoke-Bench $script @('-NativeCalls', '10', '-QemuCalls', '3')
                foreach ($format in 'qcow2', 'vmdk', 'vhdx', 'vdi', 'vhd', 'raw') { $run.Output | Should -Match "\s$format\s" }
                $run.Output | Should -Match 'qemu-img takes \d+x the native inspector'
            }
            'Catalog.ps1' {
                $run = Invoke-Bench $script @('-CreateCount', '20', '-TotalCount', '120', '-Runs', '1')
                $run.Output | Should -Match 'Create through New-Image: \d+ records/s'
                $run.Output | Should -Match 'full listing\s+120\s'
            }
            'TestImage.ps1' {
                $run = Invoke-Bench $script @('-SizeMiB', '4', '-Runs', '1', '-WorkFolder', (Join-Path $TestDrive 'verify'))
                foreach ($row in 'openssl dgst -md5', 'openssl dgst -sha512', 'Test-Image (cmdlet)') { $run.Output | Should -Match ([regex]::Escape($row)) }
                $run.Output | Should -Match 'Test-Image verifies at \d+\.\d\d x the throughput of openssl dgst -md5'
                $run.Output | Should -Match 'cores \(.+\); disk: '
                Join-Path $TestDrive 'verify' | Should -Not -Exist -Because 'the bench removes its work folder'
            }
            'Import.ps1' {
                $run = Invoke-Bench $script @('-SizeMiB', '4', '-Runs', '1', '-ParallelMiB', '1', '-RateMiBps', '4', '-WorkFolder', (Join-Path $TestDrive 'import'))
                foreach ($row in 'curl | openssl dgst -md5', 'Import-Image -Uri (raw)', 'xz -dc | openssl dgst -md5', 'Import-Image -Uri (.xz)', 'four, -ThrottleLimit 4') { $run.Output | Should -Match ([regex]::Escape($row)) }
                $run.Output | Should -Match 'Import-Image from the web server runs at \d+\.\d\d x'
                $run.Output | Should -Match 'Peak memory growth with four imports running: \d+'
                $run.Output | Should -Match 'cores \(.+\); disk: '
                Join-Path $TestDrive 'import' | Should -Not -Exist -Because 'the bench removes its work folder'
            }
            'S3Upload.ps1' {
                if (-not $env:IMAGEPS_TEST_POSTGRESQL -and $env:IMAGEPS_REQUIRE_SERVERS -ne '1') {
                    Set-ItResult -Skipped -Because 'the test servers are not running (build.ps1 Test starts them as root)'
                    return
                }
                $run = Invoke-Bench $script @('-SizeMiB', '6', '-Runs', '1', '-WorkFolder', (Join-Path $TestDrive 's3'))
                foreach ($row in 'curl PUT', 'Send-ImageData (PostgreSQL + S3)', 'curl GET', 'Save-ImageData (PostgreSQL + S3)') { $run.Output | Should -Match ([regex]::Escape($row)) }
            }
        }
        $run.ExitCode | Should -Be 0 -Because $run.Output
    }
}
