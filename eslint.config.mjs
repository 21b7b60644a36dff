// Type-aware lint: typescript-eslint, plus Pulumi's rules against Outputs in template strings.
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
    { ignores: ["node_modules/", "results/", ".lab/", "coverage/", "**/*.js", "**/*.mjs"] },
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/prefer-nullish-coalescing": "off",
        },
    },
);
