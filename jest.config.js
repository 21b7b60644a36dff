/** Unit tests: mocks and pure functions, no Docker or SSH needed. The lab's tests run with jest.lab.config.js. */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    testMatch: ["<rootDir>/test/**/*.test.ts"],
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/lab/", "<rootDir>/test/engine/"],
    // Whole-program evaluations, once per run (test/helpers/evaluations.ts).
    globalSetup: "<rootDir>/test/globalSetup.ts",
    testTimeout: 60000,
};
