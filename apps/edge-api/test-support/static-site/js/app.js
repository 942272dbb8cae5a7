document.title += " (script ran)";
