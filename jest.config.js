/** Unit tests: mocks and pure functions, no Docker or SSH needed. The lab's tests run with jest.lab.config.js. */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    testMatch: ["<rootDir>/test/**/*.test.ts"],
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/lab/"],
    testTimeout: 60000,
};
