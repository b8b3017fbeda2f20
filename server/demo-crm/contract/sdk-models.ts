// The `pipedrive` package's request models are generated from Pipedrive's OpenAPI document
// (https://github.com/pipedrive/client-nodejs). They are TypeScript types, so a contract derives
// its field list from them at compile time: `satisfies ModelFieldsOf<Model>` makes tsc fail
// when a contract misses a field of the model or has one the model lacks.

/** A model's named fields (without a `[key: string]: any` index signature some models carry). */
export type ModelField<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** One entry per named field of the model, none besides. */
export type ModelFieldsOf<T, Omitted extends ModelField<T> = never, Value = unknown> = Record<Exclude<ModelField<T>, Omitted>, Value>;
