// Integration tests against the real test lab (bash test/lab/up.sh first); kept apart from the
// unit tests because they need root, a Docker engine and the SSH test hosts.
/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test/lab"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
    // Brokers and stand-in clusters take tens of seconds to start on 2 cores.
    testTimeout: 180000,
    // The suites share the machine's Docker engine, the hosts' engines and the page cache: one at a time.
    maxWorkers: 1,
};
