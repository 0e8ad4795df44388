// The chat requests every gateway bench sends: a few hundred distinct prompts, built once, so the
// load generator's own work stays small.
export function chatRequestBodies(maxTokens: number, streaming = false): string[] {
  return Array.from({ length: 512 }, (_, index) =>
    JSON.stringify({
      model: 'bench-model',
      messages: [
        {
          role: 'user',
          content: `Question ${index}: how many moons does planet ${index % 97} have?`,
        },
      ],
      max_tokens: maxTokens,
      ...(streaming ? { stream: true } : {}),
    }),
  );
}
