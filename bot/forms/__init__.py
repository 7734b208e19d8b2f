"""「フォームでまとめて入力」: the draft's long answers on one web page, reached by a signed short-lived link."""
