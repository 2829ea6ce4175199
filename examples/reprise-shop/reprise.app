{
  // The shop example: every Reprise declaration kind on reprise/* imports.
  "id": "reprise-shop"
}
