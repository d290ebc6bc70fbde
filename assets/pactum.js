// Pactum's one progressive enhancement: before uploading, list the files chosen in a file
// field with their size, so a person with a phone sees what they are about to send. The pages
// work the same without it.
(function () {
  "use strict";
  function size(bytes) {
    var decimal = document.documentElement.lang === "en" ? "." : ",";
    if (bytes >= 1000000) {
      var tenths = Math.floor(bytes / 100000);
      return Math.floor(tenths / 10) + decimal + (tenths % 10) + " MB";
    }
    return Math.ceil(bytes / 1000) + " kB";
  }
  document.querySelectorAll("input[type=file][data-chosen]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-chosen"));
    input.addEventListener("change", function () {
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        item.textContent = file.name + " (" + size(file.size) + ")";
        list.appendChild(item);
      });
    });
  });
})();
