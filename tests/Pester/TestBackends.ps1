# Dot-sourced in BeforeDiscovery by the contract tests: the configurations their Describe blocks run in
# (Describe '... (<TestBackend>)' -ForEach (Get-TestBackend)). Inside such a block Use-TestRepository
# makes each repository of that configuration.

function Get-TestBackend {
    # Embedded (SQLite + files) always; Servers (PostgreSQL + S3, the test servers build.ps1 starts) when
    # they are there, or required (IMAGEPS_REQUIRE_SERVERS=1): then missing servers fail the tests.
    $backends = @(@{ TestBackend = 'Embedded' })
    if ($env:IMAGEPS_TEST_POSTGRESQL -or $env:IMAGEPS_REQUIRE_SERVERS -eq '1') { $backends += @{ TestBackend = 'Servers' } }
    $backends
}
