# The test web server helper (TestWebServer.ps1) that the import tests use: it starts, serves a file
# with Range and the fault routes, logs, and is stopped for good.
BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    . $PSScriptRoot/TestWebServer.ps1
    $root = Join-Path $TestDrive 'served'
    New-Item -ItemType Directory -Path $root | Out-Null
    $bytes = [byte[]]::new(100000)
    [Random]::new(7).NextBytes($bytes)
    [IO.File]::WriteAllBytes((Join-Path $root 'disk.img'), $bytes)
    $server = Start-TestWebServer -Root $root
}

AfterAll {
    if ($server) { Stop-TestWebServer $server }
}

Describe 'The test web server' {
    It 'listens on 127.0.0.1 and serves the folder with ETag and Range' {
        $server.Url | Should -Match '^http://127\.0\.0\.1:\d+/$'
        $whole = Invoke-WebRequest -Uri ($server.Url + 'disk.img') -NoProxy
        $whole.RawContentLength | Should -Be 100000
        $whole.Headers.ETag | Should -Not -BeNullOrEmpty
        $part = Invoke-WebRequest -Uri ($server.Url + 'disk.img') -NoProxy -Headers @{ Range = 'bytes=99000-' }
        $part.StatusCode | Should -Be 206
        $part.RawContentLength | Should -Be 1000
    }

    It 'drops the connection as asked, then answers, and counts the bytes it sent' {
        { Invoke-WebRequest -Uri ($server.Url + 'drop/1000/1/disk.img') -NoProxy } | Should -Throw
        (Invoke-WebRequest -Uri ($server.Url + 'drop/1000/1/disk.img') -NoProxy).RawContentLength | Should -Be 100000
        Get-TestWebServerBytesServed $server -Path '/drop/1000/1/disk.img' | Should -Be 101000
    }

    It 'answers the status asked for and logs whether credentials came' {
        { Invoke-WebRequest -Uri ($server.Url + 'status/404') -NoProxy } | Should -Throw '*404*'
        $credential = [pscredential]::new('alice', (ConvertTo-SecureString 's3cret' -AsPlainText -Force))
        (Invoke-WebRequest -Uri ($server.Url + 'auth/alice/s3cret/disk.img') -Credential $credential -Authentication Basic -AllowUnencryptedAuthentication -NoProxy).RawContentLength |
            Should -Be 100000
        $logged = @(Get-TestWebServerLog $server | Where-Object path -EQ '/auth/alice/s3cret/disk.img')
        $logged.Count | Should -Be 1
        $logged[0].authorization | Should -BeTrue
    }

    It 'is stopped for good by Stop-TestWebServer' {
        $other = Start-TestWebServer -Root $root
        Stop-TestWebServer $other
        $other.Process.HasExited | Should -BeTrue
        { Invoke-WebRequest -Uri ($other.Url + 'disk.img') -NoProxy -TimeoutSec 5 } | Should -Throw
    }
}
