// The node-side scripts and the local tools run as processes (bash, python, node) with real
// timeouts and real files: seconds per test, so apart from the quick loop (`npm test`).
/** @type {import('jest').Config} */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    roots: ["<rootDir>/test/scripts"],
    testMatch: ["**/*.test.ts"],
    testTimeout: 60000,
};
